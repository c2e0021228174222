// RFC 4648 base32 in lowercase, without padding: the alphabet of key text (docs/keys.md).
// Lowercase because keys are read aloud and typed; no padding because lengths are fixed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "keys/bytes.hpp"

namespace ifex {

// Alphabet "abcdefghijklmnopqrstuvwxyz234567", ceil(8 * size / 5) characters, no '='.
std::string base32_encode(ByteView bytes);

// Accepts upper or lower case. nullopt on any other character (padding and whitespace included),
// on a length no encoding produces, or on non-zero unused low bits in the last character, so
// every byte string has exactly one accepted text form (modulo case).
std::optional<Bytes> base32_decode(std::string_view text);

}  // namespace ifex
