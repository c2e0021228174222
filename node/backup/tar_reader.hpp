// Reads a POSIX ustar archive strictly, from any byte source (a file, or memory for the fuzz
// target): every header's checksum, magic, type and name are checked (tar_format.hpp), data
// ending before its size is "truncated", block padding and the end-of-archive blocks must be
// zeros, and nothing but zeros may follow them. What a member may be named and how large it
// may be is the caller's rule (node/backup/backup_members.hpp). Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "keys/bytes.hpp"
#include "keys/result.hpp"
#include "node/backup/tar_format.hpp"

namespace ifex::tar {

// Reads up to `size` bytes into `out`; 0 only at the end of the input.
using ReadFn = std::function<Result<std::size_t>(std::uint8_t* out, std::size_t size)>;

class Reader {
 public:
  explicit Reader(ReadFn read) : read_(std::move(read)) {}

  // The next member's header (skipping the unread data of the previous one), or nullopt at a
  // well-formed end of the archive.
  Result<std::optional<Header>> next();
  // The current member's data, handed to `sink` in chunks of at most 1 MiB; then its padding
  // is checked. A sink's error stops the read and is returned.
  Status read_data(const std::function<Status(ByteView)>& sink);

 private:
  // Exactly `size` bytes, or the error "truncated".
  Status read_exact(std::uint8_t* out, std::size_t size);
  Status check_end();

  ReadFn read_;
  std::uint64_t offset_ = 0;
  std::optional<Header> current_;
  bool data_read_ = true;
};

// A source reading from an open file descriptor (the caller keeps and closes it).
ReadFn fd_source(int fd);

}  // namespace ifex::tar
