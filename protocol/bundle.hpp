// Bundles: files of signed entries and fork proofs carried by hand (USB stick, e-mail) where the
// network is cut. The bundle itself is not signed: every entry in it is, and the importer
// verifies each one. Layout in docs/protocol.md ("Bundle").
//   magic "IFEXBNDL", u8 version (1),
//   records: u8 type, u32 little-endian length, that many bytes,
//   end record: type 0, length 8, u64 little-endian count of the records before it.
// A bundle without its end record was cut short; the reader says so.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "keys/bytes.hpp"
#include "keys/result.hpp"

namespace ifex {

inline constexpr std::string_view bundle_magic = "IFEXBNDL";
inline constexpr std::uint8_t bundle_version = 1;
inline constexpr std::size_t bundle_header_size = 9;
inline constexpr std::size_t bundle_record_header_size = 5;

enum class BundleRecordType : std::uint8_t { end = 0, entry = 1, fork_proof = 2 };

Bytes bundle_header();
Bytes bundle_record(BundleRecordType type, ByteView body);
Bytes bundle_trailer(std::uint64_t record_count);

struct BundleRecord {
  BundleRecordType type;
  ByteView body;       // points into the reader's input
  std::size_t offset;  // byte offset of the record in the bundle, for error messages
};

// Reads records one by one from caller-owned bytes (e.g. a mapped file). Not thread-safe.
class BundleReader {
 public:
  BundleReader(ByteView input, std::size_t max_record_bytes);

  // The next record; nullopt after a valid end record. Errors: bad header, unknown record type,
  // record over the size limit, truncation, count mismatch, bytes after the end record. After an
  // error every further call returns the same error.
  Result<std::optional<BundleRecord>> next();
  std::uint64_t records_read() const { return count_; }

 private:
  ByteView input_;
  std::size_t max_record_bytes_;
  std::size_t pos_ = 0;
  std::uint64_t count_ = 0;
  bool done_ = false;
  std::optional<Error> error_;
};

}  // namespace ifex
