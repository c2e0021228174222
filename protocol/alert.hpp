// The payload of an `alert` entry: a report of a violation, in its original language plus
// translations. Byte layout in docs/protocol.md ("Alert payload").
//
// Canonical form: translations sorted by language and none in the original's language;
// categories and tags sorted and unique; sources unique, in the author's order. encode_alert
// canonicalises; decode_alert accepts only the canonical form, so one alert has one encoding.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "keys/bytes.hpp"
#include "keys/result.hpp"

namespace ifex {

inline constexpr std::uint8_t alert_format = 1;

struct AlertText {
  std::string lang;  // ISO 639-1 code
  std::string title;
  std::string summary;
  std::string body;
  friend bool operator==(const AlertText&, const AlertText&) = default;
};

struct Alert {
  AlertText original;
  std::vector<AlertText> translations;
  std::string country;                  // ISO 3166-1 alpha-2
  std::vector<std::string> categories;  // taxonomy slugs (docs/taxonomy.md), at least one
  std::string event_date;               // "YYYY-MM-DD" or empty when unknown
  std::vector<std::string> sources;     // absolute http(s) URLs
  std::vector<std::string> tags;        // campaign tags (slugs)
  std::string legacy_id;                // id in the pre-federation archive, or empty
  friend bool operator==(const Alert&, const Alert&) = default;
};

struct AlertLimits {
  std::size_t max_title_bytes = 1024;
  std::size_t max_summary_bytes = 8 * 1024;
  std::size_t max_body_bytes = 60 * 1024;
  std::size_t max_translations = 16;
  std::size_t max_categories = 8;
  std::size_t max_sources = 32;
  std::size_t max_source_bytes = 2048;
  std::size_t max_tags = 32;
  std::size_t max_legacy_id_bytes = 128;
};

// How strict validation is about vocabularies (see protocol/taxonomy.hpp): an author signs only
// codes this version knows; a receiver carries any well-formed code.
enum class Vocabulary { known_only, any_well_formed };

// Sorts and de-duplicates the lists into canonical order (does not validate).
void canonicalize(Alert& alert);

// Checks every field; the message names the field and the rule broken.
Status validate_alert(const Alert& alert, Vocabulary vocabulary, const AlertLimits& limits = {});

// REQUIRES: validate_alert(alert, ...) succeeded. Canonicalises a copy, then encodes it.
Bytes encode_alert(Alert alert);

// Strict decoding: canonical order, validation with Vocabulary::any_well_formed, no trailing bytes.
[[nodiscard]] Result<Alert> decode_alert(ByteView payload, const AlertLimits& limits = {});

// The text in `lang` (original or translation), or the original when there is none.
const AlertText& text_in(const Alert& alert, std::string_view lang);

// A real calendar date, "YYYY-MM-DD", years 1900 to 2999.
bool is_valid_date(std::string_view date);

}  // namespace ifex
