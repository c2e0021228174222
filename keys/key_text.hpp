// The text forms of keys, for config files, command lines and phone calls (docs/keys.md):
//   ifexpk1 + base32(key || checksum), checksum = BLAKE2b-256(prefix || key)[0..4)
// and the short fingerprint people compare by eye, e.g. "k3xq-7fab-mn2c-p4sd".
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "keys/bytes.hpp"
#include "keys/result.hpp"

namespace ifex {

inline constexpr std::string_view public_key_prefix = "ifexpk1";
inline constexpr std::size_t typed_key_checksum_size = 4;

// prefix + base32(bytes || first 4 bytes of BLAKE2b-256(prefix || bytes)). The prefix is hashed
// so a key of one type pasted where another is expected fails the checksum, not just the prefix.
std::string encode_typed_key(std::string_view prefix, ByteView bytes);

// The inverse of encode_typed_key for a key of `expected_len` bytes. Trims surrounding
// whitespace; the prefix and base32 digits may be in either case. `kind` names the key in error
// messages ("public key" -> "not an ifex public key: ..."). Error codes: "wrong_prefix",
// "bad_characters", "wrong_length", "checksum_mismatch".
Result<Bytes> decode_typed_key(std::string_view prefix, std::string_view text,
                               std::size_t expected_len, std::string_view kind = "key");

std::string public_key_to_text(const PublicKey& key);
// Only the ifexpk1 form is accepted (not hex): the checksum is what catches a mistyped key.
Result<PublicKey> public_key_from_text(std::string_view text);
// public_key_from_text for a key about to be trusted (a roster member, a peer): also refuses,
// with code "unusable_key", a point no key pair has (is_usable_public_key, keys/identity.hpp).
// A checksum cannot catch those: whoever made the text chose the bytes.
Result<PublicKey> member_key_from_text(std::string_view text);

// 16 base32 characters of BLAKE2b-256("ifex-fingerprint" || key) in four dash-separated groups.
// 80 bits: enough that nobody can make a key with a chosen fingerprint, short enough to read out.
std::string fingerprint(const PublicKey& key);

}  // namespace ifex
