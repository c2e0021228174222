// The one table of characters that are markup in both XML and HTML, shared by everything that
// writes text into a document (Atom feeds, search snippets).
#pragma once

namespace ifex {

// The entity reference for `c` when it is & < > " or ', else nullptr. "&#39;" rather than
// "&apos;" because it means the same in XML and in every HTML version.
inline const char* markup_entity(char32_t c) {
  switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";  // also keeps "]]>" out of XML character data
    case '"': return "&quot;";
    case '\'': return "&#39;";
    default: return nullptr;
  }
}

}  // namespace ifex
