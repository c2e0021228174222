// Entries: the signed records of an author's append-only log. Byte layout, signing input and id
// are specified in docs/protocol.md ("Entry"); the test vector there is checked by the tests.
//
// A SignedEntry can only be made by signing (sign_entry) or by decoding bytes whose signature
// verified (decode_entry), so holding one means the signature is good. It keeps the exact bytes
// it came from: they are what is stored, hashed and forwarded, never a re-encoding.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "keys/bytes.hpp"
#include "keys/identity.hpp"
#include "keys/result.hpp"

namespace ifex {

inline constexpr std::uint8_t entry_version = 1;
inline constexpr std::string_view entry_signature_domain = "ifexnode/entry/v1";
// Bytes before the payload: flag, version, author, seq, prev, created, kind, payload length.
inline constexpr std::size_t entry_header_size = 1 + 1 + 32 + 8 + 32 + 8 + 2 + 8;
inline constexpr std::size_t entry_overhead = entry_header_size + Signature::size;

enum class EntryKind : std::uint16_t {
  alert = 1,
  update = 2,   // correction of an earlier alert (reserved)
  retract = 3,  // withdrawal of an earlier alert (reserved)
  endorse = 4,  // co-signature of another author's alert (reserved)
  roster = 5,   // federation membership change (reserved)
  key = 6,      // rotation or revocation of the author's key (reserved)
};

// Names and values of the kinds in protocol/entry_kinds.hpp's table ("unknown" outside it).
std::string_view kind_name(EntryKind kind);
std::optional<EntryKind> kind_from_name(std::string_view name);
// True for a value in the kind table (specified or reserved): one decode_entry accepts.
bool is_reserved_kind(std::uint16_t value);

struct EntryLimits {
  std::size_t max_entry_bytes = 64 * 1024;  // whole signed encoding
};

struct EntryFields {
  PublicKey author;
  std::uint64_t seq = 0;    // 1, 2, 3, ...
  Hash prev;                // id of entry seq-1; all zero for seq 1
  std::uint64_t created_ms = 0;  // author's clock, ms since the Unix epoch; informative only
  EntryKind kind = EntryKind::alert;
  Bytes payload;
};

class SignedEntry {
 public:
  const EntryFields& fields() const { return fields_; }
  const PublicKey& author() const { return fields_.author; }
  std::uint64_t seq() const { return fields_.seq; }
  const Hash& prev() const { return fields_.prev; }
  std::uint64_t created_ms() const { return fields_.created_ms; }
  EntryKind kind() const { return fields_.kind; }
  const Bytes& payload() const { return fields_.payload; }
  const Signature& signature() const { return signature_; }
  const Hash& id() const { return id_; }
  // The exact signed encoding: what is stored, hashed into the id and sent to peers.
  const Bytes& bytes() const { return bytes_; }

 private:
  friend SignedEntry sign_entry(const Identity&, EntryFields);
  friend Result<SignedEntry> decode_entry_impl(ByteView, const EntryLimits&, bool);
  SignedEntry() = default;
  EntryFields fields_;
  Signature signature_;
  Hash id_;
  Bytes bytes_;
};

// The bytes that are signed (after the domain): the encoding without the signature.
// Fails if the fields break a structural rule (seq 0, prev not zero exactly for seq 1, ...).
Result<Bytes> encode_unsigned_entry(const EntryFields& fields);

// Signs `fields` with `identity`. REQUIRES: fields.author == identity.public_key() and the
// fields are structurally valid (encode_unsigned_entry succeeds); throws std::invalid_argument
// otherwise, since that is a programming error, not bad input.
SignedEntry sign_entry(const Identity& identity, EntryFields fields);

// Strictly decodes and verifies a signed encoding: exact length, canonical flag, known version
// and kind, structural rules, size limit, then the Ed25519 signature. Never throws.
[[nodiscard]] Result<SignedEntry> decode_entry(ByteView bytes, const EntryLimits& limits);

// Decodes bytes that this node verified before storing them (reads from its own store). Same
// structural checks, no signature check; `ifexnode verify` re-checks signatures.
[[nodiscard]] Result<SignedEntry> decode_trusted_entry(ByteView bytes, const EntryLimits& limits);

// id = BLAKE2b-256 of the whole signed encoding.
Hash entry_id(ByteView signed_encoding);

// Refuses an entry dated more than `max_skew_ms` after `now_ms` (the receiver's wall clock,
// ms since the Unix epoch). Not a validity rule: the same entry fits once the clock catches up.
[[nodiscard]] Status check_not_future(const SignedEntry& entry, std::uint64_t now_ms,
                                      std::uint64_t max_skew_ms);

}  // namespace ifex
