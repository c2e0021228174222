// Clock files: what a node holds, written to a file so that another node can export only what it
// lacks (sneakernet: `ifexnode clock`, then `ifexnode export --since`). A clock only asks: it is
// not signed, and a wrong one makes a bundle bigger or smaller, never lets a bad entry in (every
// entry of a bundle is verified on import). Layout in docs/protocol.md ("Clock file"):
//   magic "IFEXCLCK", u8 version (1), u32 little-endian count,
//   count records sorted by author, strictly ascending:
//     32-byte author key, u8 flags (bit 0: holds a fork proof against the author; others 0),
//     u64 little-endian head seq (0: none of the log), 32-byte head id (zero when seq is 0),
//   32-byte BLAKE2b-256 of every byte before it (catches a damaged USB copy).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "keys/bytes.hpp"
#include "keys/result.hpp"
#include "protocol/log_rules.hpp"

namespace ifex {

inline constexpr std::string_view clock_file_magic = "IFEXCLCK";
inline constexpr std::uint8_t clock_file_version = 1;
inline constexpr std::size_t clock_file_header_size = 13;   // magic, version, count
inline constexpr std::size_t clock_file_record_size = 73;   // key, flags, seq, id
inline constexpr std::size_t clock_file_checksum_size = 32;
// Far above any federation's roster; bounds what a reader allocates (7.3 MB of records).
inline constexpr std::uint32_t clock_file_max_authors = 100'000;
inline constexpr std::uint8_t clock_flag_fork_proof = 0x01;

// The size of a clock file of `authors` records.
constexpr std::size_t clock_file_size(std::size_t authors) {
  return clock_file_header_size + authors * clock_file_record_size + clock_file_checksum_size;
}

// One author's log as a node holds it.
struct HeldLog {
  PublicKey author;
  LogHead head;              // seq 0 and a zero id: none of the log (e.g. only a fork proof)
  bool fork_proof = false;   // this node holds a fork proof against the author (log frozen)
  friend bool operator==(const HeldLog&, const HeldLog&) = default;
};

// The file's bytes; `logs` in any order. REQUIRES: authors unique, at most
// clock_file_max_authors, and a zero id wherever seq is 0.
Bytes encode_clock_file(std::vector<HeldLog> logs);

// The logs in author order. Errors (code): not_a_clock (magic), unknown_version, too_large
// (count over `max_authors`), truncated, trailing_bytes, bad_checksum, bad_record (unknown
// flag, unsorted or repeated author, a non-zero id at seq 0).
[[nodiscard]] Result<std::vector<HeldLog>> decode_clock_file(
    ByteView bytes, std::uint32_t max_authors = clock_file_max_authors);

}  // namespace ifex
