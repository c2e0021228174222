// What may go into a response header the node sets. A CR or LF in a value would end the header
// and let whoever chose the value add headers of their own (response splitting: Beast's
// fields::set does not refuse them); NUL and other controls are refused with them.
#pragma once

#include <string_view>

namespace ifex {

// RFC 9110 5.5: visible characters, spaces, tabs and obs-text; nothing else.
inline bool is_safe_header_value(std::string_view value) {
  for (unsigned char c : value)
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  return true;
}

// A field name is a token (RFC 9110 5.1).
inline bool is_safe_header_name(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    bool token = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
    if (!token) return false;
  }
  return true;
}

}  // namespace ifex
