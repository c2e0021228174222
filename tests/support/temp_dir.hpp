// A fresh directory for one test, removed with everything in it when the test ends. Lives under
// $IFEX_TEST_TMP when set (ctest points it into the build dir), else the system temp dir.
#pragma once

#include <sodium.h>

#include <cstdlib>
#include <filesystem>
#include <string_view>

#include "keys/bytes.hpp"
#include "keys/identity.hpp"

namespace ifex::test {

class TempDir {
 public:
  explicit TempDir(std::string_view label = "test") {
    init_crypto();
    std::uint8_t tag[8];
    randombytes_buf(tag, sizeof tag);
    const char* base = std::getenv("IFEX_TEST_TMP");
    std::filesystem::path root =
        base && *base ? std::filesystem::path(base) : std::filesystem::temp_directory_path();
    path_ = root / ("ifex-" + std::string(label) + "-" + to_hex(tag));
    std::filesystem::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace ifex::test
