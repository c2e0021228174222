// Strict UTF-8 (RFC 3629): rejects overlong forms, UTF-16 surrogates (U+D800..DFFF), code
// points above U+10FFFF and truncated sequences. Text is never normalised: what the author
// signed is what every reader gets, byte for byte. This is the one decoder; the callers differ
// only in what they do with an invalid byte (refuse the text, replace it, pass it through).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ifex {

// One decoding step: the code point at a position and how many bytes it took. An invalid
// sequence counts as one byte (`valid` false): a caller that replaces or passes bytes through
// does so one byte at a time and resumes at the next.
struct Utf8Step {
  char32_t code_point = 0;
  std::size_t length = 1;
  bool valid = false;
};

// REQUIRES: at < text.size()
Utf8Step decode_utf8_at(std::string_view text, std::size_t at);

// The byte offset of the first invalid sequence, or nullopt if `text` is valid UTF-8.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);
inline bool is_valid_utf8(std::string_view text) { return !first_invalid_utf8(text); }

}  // namespace ifex
