// JSON for request bodies, stricter than boost::json::parse: an object that names one key twice
// is refused. Boost.JSON keeps the last value silently, so a body could show a reviewer (or a
// proxy, or a log) one title and have the node sign another. Used for every alert given as JSON
// (the API's POST body, `ifexnode publish --file`).
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <string_view>

#include "keys/result.hpp"

namespace ifex {

// The parsed document, or an error (`bad_request`) saying what is wrong: not JSON, nested deeper
// than `max_depth`, or a key given twice in one object (named, cut to 80 bytes).
Result<boost::json::value> parse_strict_json(std::string_view text, std::size_t max_depth);

}  // namespace ifex
