// Strict UTF-8 validation (RFC 3629): rejects overlong forms, UTF-16 surrogates (U+D800..DFFF),
// code points above U+10FFFF and truncated sequences. Text is never normalised: what the author
// signed is what every reader gets, byte for byte.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ifex {

// The byte offset of the first invalid sequence, or nullopt if `text` is valid UTF-8.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);
inline bool is_valid_utf8(std::string_view text) { return !first_invalid_utf8(text); }

}  // namespace ifex
