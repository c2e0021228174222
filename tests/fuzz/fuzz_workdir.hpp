// A scratch directory for the targets that need files (a store, a bundle to import), made once
// per process and removed when it exits normally. It lives on /dev/shm when there is one: LMDB
// syncs on every commit, and on tmpfs a sync costs nothing, so each input costs microseconds.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

namespace ifex::fuzz {

class WorkDir {
 public:
  explicit WorkDir(const std::string& label) {
    std::filesystem::path root = "/dev/shm";
    std::error_code ec;
    if (!std::filesystem::is_directory(root, ec) || ::access(root.c_str(), W_OK) != 0)
      root = std::filesystem::temp_directory_path();
    path_ = root / ("ifex-fuzz-" + label + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_, ec);
    std::filesystem::create_directories(path_);
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  ~WorkDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace ifex::fuzz
