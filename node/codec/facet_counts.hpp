// How many alerts of a listing or a search fall under each value of each facet: what a reader
// sees beside the results ("Tunisia (12)"), shared by the catalog (listings) and the search
// index (search) so that both are rendered as one JSON shape (docs/http-api.md, "Facets").
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace ifex {

struct FacetCounts {
  std::uint64_t total = 0;  // alerts matched
  // False when a bound stopped the count early: total and every count are then lower bounds
  // (listings) or estimates scaled from the matches checked (search).
  bool exact = true;
  std::map<std::string, std::uint64_t> country;   // ISO 3166-1 alpha-2
  std::map<std::string, std::uint64_t> category;  // taxonomy slug (an alert counts in each)
  std::map<std::string, std::uint64_t> lang;      // every language an alert has text in
  std::map<std::string, std::uint64_t> author;    // lower-case hex of the author's key
  std::map<std::string, std::uint64_t> year;      // "YYYY" of the alert's date
};

}  // namespace ifex
