// How many alerts fall in each period (a year, or a month of one year), optionally divided by
// category: what the timeline shows (docs/http-api.md, "GET /api/timeline"). Filled by the
// catalog, rendered as JSON by node/http.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace ifex {

struct TimelineCounts {
  // False when a bound stopped the count early: every count is then a lower bound.
  bool exact = true;
  // Period ("YYYY", or "YYYY-MM" for the months of one year) -> alerts dated in it. Periods
  // without an alert are absent.
  std::map<std::string, std::uint64_t> total;
  // Period -> category slug -> alerts of the period in that category (an alert counts in each
  // of its categories). Filled only when asked for.
  std::map<std::string, std::map<std::string, std::uint64_t>> by_category;
};

}  // namespace ifex
