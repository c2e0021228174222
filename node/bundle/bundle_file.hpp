// The file handling bundles and clock files share: a write that appears whole or not at all, and
// a bounded read of a whole file.
#pragma once

#include <cstdint>
#include <filesystem>

#include "keys/bytes.hpp"
#include "keys/result.hpp"

namespace ifex {

// Writes through a file descriptor to `target`.partial, so the data can be fsynced before the
// rename publishes it; the destructor removes a file never committed. Not thread-safe.
class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path target);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  Status open();
  Status write(ByteView bytes);
  Status commit();  // fsync, then rename into place
  std::uint64_t written() const { return written_; }

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  int fd_ = -1;
  std::uint64_t written_ = 0;
};

// The whole of `file`; error `too_large` (before reading it) when it holds more than `max_bytes`.
Result<Bytes> read_whole_file(const std::filesystem::path& file, std::uint64_t max_bytes);

}  // namespace ifex
