// Writes a POSIX ustar archive to a file, one member at a time, streaming: a member's size need
// not be known when it starts (the store's copy arrives through a pipe), so its header is
// written as a placeholder and rewritten with the size once the data ended. Not thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "keys/bytes.hpp"
#include "keys/result.hpp"

namespace ifex::tar {

class Writer {
 public:
  // Creates (or truncates) `file` with mode 0600. Errors name the file.
  static Result<Writer> create(const std::filesystem::path& file);
  Writer(Writer&& other) noexcept;
  Writer& operator=(Writer&&) = delete;
  Writer(const Writer&) = delete;
  ~Writer();

  // REQUIRES: no member open; is_safe_member_name(name).
  Status begin_member(const std::string& name, std::uint32_t mode, std::uint64_t mtime);
  Status write(ByteView data);  // REQUIRES: a member open
  Status end_member();          // pads the data to a block, rewrites the header with the size
  // Writes the end-of-archive blocks, syncs the file to disk and closes it.
  Status finish();

  std::uint64_t bytes_written() const { return offset_; }

 private:
  Writer(int fd, std::filesystem::path file) : fd_(fd), file_(std::move(file)) {}
  Status write_all(const std::uint8_t* data, std::size_t size);
  Error io_error(const char* what, int err) const;

  int fd_ = -1;
  std::filesystem::path file_;
  std::uint64_t offset_ = 0;
  // The open member: where its header is, and what it needs to be rewritten.
  bool open_ = false;
  std::uint64_t header_at_ = 0;
  std::string name_;
  std::uint32_t mode_ = 0;
  std::uint64_t mtime_ = 0;
  std::uint64_t size_ = 0;
};

}  // namespace ifex::tar
