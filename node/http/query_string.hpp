// Splitting a request target into its path and decoded query parameters.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "keys/result.hpp"

namespace ifex {

struct ParsedTarget {
  std::string path;                           // percent-decoded
  std::map<std::string, std::string> params;  // decoded; '+' is a space in the query
};

// Errors ("bad_request") for malformed percent escapes, invalid UTF-8 after decoding, a
// parameter given twice, or more than `max_params` parameters.
Result<ParsedTarget> parse_target(std::string_view target, std::size_t max_params = 32);

}  // namespace ifex
