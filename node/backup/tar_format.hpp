// The POSIX ustar header (IEEE Std 1003.1, "pax" / ustar interchange format), the part of it a
// backup archive uses: regular files with a name of at most 99 bytes, a mode, a size and a time.
// A size of 8 GiB or more is written in the base-256 form GNU tar, bsdtar and busybox read
// (first byte 0x80, the value big-endian in the remaining 11 bytes), so a store of any size
// fits. Pure: bytes in, bytes out.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "keys/result.hpp"

namespace ifex::tar {

inline constexpr std::size_t block_size = 512;
using Block = std::array<std::uint8_t, block_size>;

struct Header {
  std::string name;  // a relative path, '/'-separated, without "." or ".." components
  std::uint32_t mode = 0600;
  std::uint64_t size = 0;
  std::uint64_t mtime = 0;  // seconds since the epoch
};

// Encodes a regular file's header. REQUIRES: is_safe_member_name(h.name), mode <= 07777.
Block encode_header(const Header& h);

// Decodes one block: nullopt for an all-zero block (the end of the archive), an error naming
// what is wrong for a block that is not a ustar header of a regular file (bad checksum, magic,
// type, name, number).
Result<std::optional<Header>> decode_header(std::span<const std::uint8_t, block_size> block);

// A name a reader may create below a directory: relative, no "." / ".." / empty components,
// printable ASCII, shorter than the 100-byte name field.
bool is_safe_member_name(const std::string& name);

// The zero bytes that pad `size` bytes of data to a whole block.
inline std::size_t padding_for(std::uint64_t size) {
  return static_cast<std::size_t>((block_size - size % block_size) % block_size);
}

}  // namespace ifex::tar
