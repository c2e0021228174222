#include "keys/key_text.hpp"

#include <algorithm>

#include "keys/base32.hpp"
#include "keys/identity.hpp"

namespace ifex {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (to_lower(text[i]) != to_lower(prefix[i])) return false;
  return true;
}

bool is_base32_digit(char c) {
  c = to_lower(c);
  return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7');
}

Bytes checksum(std::string_view prefix, ByteView bytes) {
  Hash h = blake2b_256({as_bytes(prefix), bytes});
  return Bytes(h.bytes.begin(), h.bytes.begin() + typed_key_checksum_size);
}

}  // namespace

std::string encode_typed_key(std::string_view prefix, ByteView bytes) {
  Bytes body(bytes.begin(), bytes.end());
  Bytes sum = checksum(prefix, bytes);
  body.insert(body.end(), sum.begin(), sum.end());
  return std::string(prefix) + base32_encode(body);
}

Result<Bytes> decode_typed_key(std::string_view prefix, std::string_view text,
                               std::size_t expected_len, std::string_view kind) {
  const std::string what = "ifex " + std::string(kind);
  text = trim(text);
  if (!starts_with_ignoring_case(text, prefix))
    return make_error("wrong_prefix",
                      "not an " + what + ": expected it to start with " + std::string(prefix));
  std::string_view digits = text.substr(prefix.size());
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (!is_base32_digit(digits[i]))
      return make_error("bad_characters", "invalid character in " + what + " at position " +
                                              std::to_string(prefix.size() + i + 1) +
                                              ": only letters a-z and digits 2-7 are used");
  }
  const std::size_t body_len = expected_len + typed_key_checksum_size;
  const std::size_t expected_digits = (body_len * 8 + 4) / 5;
  if (digits.size() != expected_digits)
    return make_error("wrong_length", "an " + what + " has " + std::to_string(expected_digits) +
                                          " characters after " + std::string(prefix) +
                                          ", this one has " + std::to_string(digits.size()));
  // With the alphabet and length right, decoding fails only on non-zero padding bits in the last
  // character: a typo like any other.
  auto body = base32_decode(digits);
  const std::string mismatch = "checksum mismatch: the key was mistyped or damaged";
  if (!body || body->size() != body_len) return make_error("checksum_mismatch", mismatch);
  Bytes key(body->begin(), body->begin() + static_cast<std::ptrdiff_t>(expected_len));
  Bytes sum = checksum(prefix, key);
  if (!std::equal(sum.begin(), sum.end(),
                  body->begin() + static_cast<std::ptrdiff_t>(expected_len)))
    return make_error("checksum_mismatch", mismatch);
  return key;
}

std::string public_key_to_text(const PublicKey& key) {
  return encode_typed_key(public_key_prefix, key.view());
}

Result<PublicKey> public_key_from_text(std::string_view text) {
  auto raw = decode_typed_key(public_key_prefix, text, PublicKey::size, "public key");
  if (!raw) return raw.error();
  return *PublicKey::from(*raw);
}

Result<PublicKey> member_key_from_text(std::string_view text) {
  auto key = public_key_from_text(text);
  if (!key) return key.error();
  if (!is_usable_public_key(*key))
    return make_error("unusable_key",
                      "not a usable public key: it is a small-order or non-canonical point, or "
                      "outside the prime-order group, so no node can hold its secret key");
  return key;
}

std::string fingerprint(const PublicKey& key) {
  static constexpr std::string_view domain = "ifex-fingerprint";
  static constexpr std::size_t fingerprint_bytes = 10;  // 80 bits = 16 base32 characters
  Hash h = blake2b_256({as_bytes(domain), key.view()});
  std::string digits = base32_encode(ByteView(h.bytes.data(), fingerprint_bytes));
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && i % 4 == 0) out.push_back('-');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace ifex
