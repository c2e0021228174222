// Fixed-size byte strings with distinct types (a Hash is not a PublicKey), built only with the
// right length. Layouts on the wire are in docs/protocol.md.
#pragma once

#include <array>
#include <compare>
#include <cstring>
#include <functional>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ifex {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_chars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

std::string to_hex(ByteView bytes);
// Lowercase or uppercase hex, even length; nullopt on any other character.
std::optional<Bytes> from_hex(std::string_view hex);
// The value of one hex digit (either case), or -1.
int hex_value(char c);

template <class Tag, std::size_t N>
struct FixedBytes {
  static constexpr std::size_t size = N;
  std::array<std::uint8_t, N> bytes{};

  static std::optional<FixedBytes> from(ByteView view) {
    if (view.size() != N) return std::nullopt;
    FixedBytes out;
    std::copy(view.begin(), view.end(), out.bytes.begin());
    return out;
  }
  static std::optional<FixedBytes> from_hex(std::string_view hex) {
    auto raw = ::ifex::from_hex(hex);
    if (!raw) return std::nullopt;
    return from(*raw);
  }

  std::uint8_t* data() { return bytes.data(); }
  const std::uint8_t* data() const { return bytes.data(); }
  ByteView view() const { return {bytes.data(), N}; }
  std::string hex() const { return to_hex(view()); }
  bool is_zero() const {
    for (auto b : bytes)
      if (b != 0) return false;
    return true;
  }

  friend auto operator<=>(const FixedBytes&, const FixedBytes&) = default;
  friend bool operator==(const FixedBytes&, const FixedBytes&) = default;
};

struct PublicKeyTag;
struct SignatureTag;
struct HashTag;

using PublicKey = FixedBytes<PublicKeyTag, 32>;  // Ed25519 public key
using Signature = FixedBytes<SignatureTag, 64>;  // Ed25519 detached signature
using Hash = FixedBytes<HashTag, 32>;            // BLAKE2b-256 digest

// BLAKE2b-256 (libsodium crypto_generichash) of the concatenation of the parts.
Hash blake2b_256(std::initializer_list<ByteView> parts);

}  // namespace ifex

// Keys and hashes are uniformly random, so their first bytes make a good hash for containers.
template <class Tag, std::size_t N>
struct std::hash<ifex::FixedBytes<Tag, N>> {
  std::size_t operator()(const ifex::FixedBytes<Tag, N>& value) const noexcept {
    static_assert(N >= sizeof(std::size_t));
    std::size_t h;
    std::memcpy(&h, value.bytes.data(), sizeof h);
    return h;
  }
};
