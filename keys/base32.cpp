#include "keys/base32.hpp"

namespace ifex {

namespace {
constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

int digit_value(char c) {
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}
}  // namespace

std::string base32_encode(ByteView bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  std::uint32_t buffer = 0;  // never holds more than 12 pending bits
  int bits = 0;
  for (auto b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(alphabet[(buffer >> bits) & 0x1f]);
    }
    buffer &= (1u << bits) - 1;
  }
  if (bits > 0) out.push_back(alphabet[(buffer << (5 - bits)) & 0x1f]);
  return out;
}

std::optional<Bytes> base32_decode(std::string_view text) {
  // Unpadded lengths mod 8 that an encoding produces: 0, 2, 4, 5, 7 (1, 3, 6 are impossible).
  switch (text.size() % 8) {
    case 1:
    case 3:
    case 6:
      return std::nullopt;
    default:
      break;
  }
  Bytes out;
  out.reserve(text.size() * 5 / 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v = digit_value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(buffer >> bits));
    }
    buffer &= (1u << bits) - 1;
  }
  // Leftover bits are padding the encoder set to zero; anything else is a second spelling.
  if (buffer != 0) return std::nullopt;
  return out;
}

}  // namespace ifex
