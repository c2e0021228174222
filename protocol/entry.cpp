#include "protocol/entry.hpp"

#include <array>
#include <stdexcept>

#include "protocol/canonical.hpp"
#include "protocol/entry_kinds.hpp"

namespace ifex {

namespace {
Status check_structure(const EntryFields& f) {
  if (f.seq == 0) return make_error("bad_seq", "seq must be 1 or more");
  if (f.seq == 1 && !f.prev.is_zero())
    return make_error("bad_prev", "the first entry of a log (seq 1) must have an all-zero prev");
  if (f.seq > 1 && f.prev.is_zero())
    return make_error("bad_prev", "an entry after seq 1 must name its predecessor in prev");
  if (!is_reserved_kind(static_cast<std::uint16_t>(f.kind)))
    return make_error("unknown_kind", "unknown entry kind " +
                                          std::to_string(static_cast<unsigned>(f.kind)));
  return Status::success();
}
}  // namespace

std::string_view kind_name(EntryKind kind) {
  const EntryKindRow* row = find_entry_kind(static_cast<std::uint16_t>(kind));
  return row ? row->name : std::string_view("unknown");
}

std::optional<EntryKind> kind_from_name(std::string_view name) {
  for (const EntryKindRow& row : entry_kinds())
    if (row.name == name) return row.kind;
  return std::nullopt;
}

bool is_reserved_kind(std::uint16_t value) {
  return find_entry_kind(value) != nullptr;
}

Result<Bytes> encode_unsigned_entry(const EntryFields& f) {
  if (auto st = check_structure(f); !st) return st.error();
  CanonicalWriter w;
  w.u8(entry_version);
  w.fixed(f.author.view());
  w.u64(f.seq);
  w.fixed(f.prev.view());
  w.u64(f.created_ms);
  w.u16(static_cast<std::uint16_t>(f.kind));
  w.bytes(f.payload);
  return w.finish();
}

Hash entry_id(ByteView signed_encoding) { return blake2b_256({signed_encoding}); }

SignedEntry sign_entry(const Identity& identity, EntryFields fields) {
  if (fields.author != identity.public_key())
    throw std::invalid_argument("sign_entry: author is not the signing identity");
  auto unsigned_bytes = encode_unsigned_entry(fields);
  if (!unsigned_bytes) throw std::invalid_argument("sign_entry: " + unsigned_bytes.error().message);
  SignedEntry e;
  e.signature_ = identity.sign(entry_signature_domain, *unsigned_bytes);
  e.bytes_ = std::move(*unsigned_bytes);
  e.bytes_.insert(e.bytes_.end(), e.signature_.bytes.begin(), e.signature_.bytes.end());
  e.id_ = entry_id(e.bytes_);
  e.fields_ = std::move(fields);
  return e;
}

Result<SignedEntry> decode_entry_impl(ByteView bytes, const EntryLimits& limits,
                                      bool check_signature) {
  if (bytes.size() > limits.max_entry_bytes)
    return make_error("too_large", "entry is " + std::to_string(bytes.size()) +
                                       " bytes; the limit is " +
                                       std::to_string(limits.max_entry_bytes));
  if (bytes.size() < entry_overhead)
    return make_error("truncated", "entry is " + std::to_string(bytes.size()) +
                                       " bytes; the smallest possible is " +
                                       std::to_string(entry_overhead));
  return decode_guarded<SignedEntry>([&]() -> Result<SignedEntry> {
    CanonicalReader r(bytes);
    SignedEntry e;
    EntryFields& f = e.fields_;
    std::uint8_t version = r.u8();
    if (version != entry_version)
      return make_error("unknown_version", "unknown entry version " + std::to_string(version));
    f.author = r.fixed<PublicKey>();
    f.seq = r.u64();
    f.prev = r.fixed<Hash>();
    f.created_ms = r.u64();
    std::uint16_t kind = r.u16();
    if (!is_reserved_kind(kind))
      return make_error("unknown_kind", "unknown entry kind " + std::to_string(kind));
    f.kind = static_cast<EntryKind>(kind);
    // The payload must end exactly where the signature begins: no slack either way.
    std::uint64_t payload_len = r.u64();
    const std::size_t room = r.remaining() - Signature::size;  // >= 0: size checked above
    if (payload_len != room)
      return make_error(payload_len > room ? "truncated" : "trailing_bytes",
                        "payload length " + std::to_string(payload_len) +
                            " does not match the entry's size (" + std::to_string(room) +
                            " payload bytes present)");
    f.payload.resize(payload_len);
    if (payload_len != 0) std::copy_n(bytes.begin() + r.position(), payload_len, f.payload.begin());
    const std::size_t signed_len = r.position() + payload_len;
    std::copy_n(bytes.begin() + signed_len, Signature::size, e.signature_.bytes.begin());
    if (auto st = check_structure(f); !st) return st.error();
    if (check_signature &&
        !verify_signature(f.author, entry_signature_domain, bytes.first(signed_len),
                          e.signature_))
      return make_error("bad_signature", "the signature does not verify for this author");
    e.bytes_.assign(bytes.begin(), bytes.end());
    e.id_ = entry_id(bytes);
    return e;
  });
}

Result<SignedEntry> decode_entry(ByteView bytes, const EntryLimits& limits) {
  return decode_entry_impl(bytes, limits, true);
}

Result<SignedEntry> decode_trusted_entry(ByteView bytes, const EntryLimits& limits) {
  return decode_entry_impl(bytes, limits, false);
}

Status check_not_future(const SignedEntry& entry, std::uint64_t now_ms,
                        std::uint64_t max_skew_ms) {
  const std::uint64_t created = entry.created_ms();
  if (created <= now_ms || created - now_ms <= max_skew_ms) return {};
  return make_error("created_in_future",
                    "created " + std::to_string((created - now_ms) / 1000) +
                        " s in the future (more than the " + std::to_string(max_skew_ms / 1000) +
                        " s allowed): the author's clock is ahead");
}

}  // namespace ifex
