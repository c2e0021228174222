// One record of the pre-federation alert archive (a line of its JSONL export) turned into an
// Alert this node can sign. The format is described in docs/operations.md ("Importing the legacy
// archive"):
//   {"legacy_id","date","country","lang","categories":[..],"title","summary","body",
//    "translations":{"en":{"title","summary","body"}},"sources":[..],"tags":[..]}
// Fields beyond these are ignored, never refused: the old archive carried fields of its own.
//
// Pure: no I/O, no clock. Thread-safe (no shared state).
#pragma once

#include <string_view>

#include "keys/result.hpp"
#include "protocol/alert.hpp"

namespace ifex {

// Added to every imported alert, so readers can tell archive records from new reports.
inline constexpr std::string_view legacy_archive_tag = "legacy-archive";

// Parses one line (without its line break). On success the alert has the archive's date as
// event_date, its legacy_id, its translations and tags plus legacy_archive_tag, and it passed
// validate_alert(..., Vocabulary::known_only, limits), so it can be signed as is.
// On failure the error's message names the field in the archive's own terms ("date", "title",
// "translations.fr.body", ...) and the rule broken; codes: invalid_json, not_an_object,
// missing_field, wrong_type, invalid_field.
[[nodiscard]] Result<Alert> parse_legacy_record(std::string_view line,
                                                const AlertLimits& limits = {});

}  // namespace ifex
