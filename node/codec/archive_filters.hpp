// What a reader may filter alerts by, shared by the catalog (listing), the search index, the
// HTTP API, the Atom feed and the command line. Parsing and validation live in one place so the
// same parameter means the same thing everywhere.
#pragma once

#include <optional>
#include <string>

#include "keys/identity.hpp"
#include "keys/result.hpp"

namespace ifex {

struct AlertFilters {
  std::string lang;                   // ISO 639-1, lower case; empty = any
  std::string country;                // ISO 3166-1 alpha-2, upper case; empty = any
  std::string category;               // taxonomy slug; empty = any
  std::optional<PublicKey> author;    // publishing node; empty = any
  std::string from_date;              // "YYYY-MM-DD" inclusive; empty = open
  std::string to_date;                // "YYYY-MM-DD" inclusive; empty = open
  bool empty() const {
    return lang.empty() && country.empty() && category.empty() && !author && from_date.empty() &&
           to_date.empty();
  }
};

// Each setter validates and normalises one parameter; the message names it.
Status set_filter(AlertFilters& filters, std::string_view name, std::string_view value);
// True for the names set_filter understands.
bool is_filter_name(std::string_view name);

// An alert's listing date: its event date, or the UTC day of its signing time when it has none.
std::string alert_date(const std::string& event_date, std::uint64_t created_ms);

}  // namespace ifex
