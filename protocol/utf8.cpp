#include "protocol/utf8.hpp"

namespace ifex {

Utf8Step decode_utf8_at(std::string_view text, std::size_t at) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return {lead, 1, true};
  // Table 3-7 of the Unicode standard: the lead fixes the length, and the range of the second
  // byte is narrowed after E0 and F0 (overlongs), ED (surrogates) and F4 (above U+10FFFF).
  std::size_t length;
  char32_t cp;
  unsigned char second_lo = 0x80, second_hi = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, cp = lead & 0x0F;
    if (lead == 0xE0) second_lo = 0xA0;
    if (lead == 0xED) second_hi = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, cp = lead & 0x07;
    if (lead == 0xF0) second_lo = 0x90;
    if (lead == 0xF4) second_hi = 0x8F;
  } else {
    return {};  // a continuation byte without a lead, C0/C1 (always overlong), F5..FF
  }
  if (text.size() - at < length) return {};  // truncated
  for (std::size_t k = 1; k < length; ++k) {
    const unsigned char b = byte(at + k);
    if (b < (k == 1 ? second_lo : 0x80) || b > (k == 1 ? second_hi : 0xBF)) return {};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {cp, length, true};
}

std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const Utf8Step step = decode_utf8_at(text, i);
    if (!step.valid) return i;
    i += step.length;
  }
  return std::nullopt;
}

}  // namespace ifex
