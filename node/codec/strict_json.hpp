// JSON for request bodies, stricter than boost::json::parse: an object that names one key twice
// is refused. Boost.JSON keeps the last value silently, so a body could show a reviewer (or a
// proxy, or a log) one title and have the node sign another. Used for every alert given as JSON
// (the API's POST body, `ifexnode publish --file`).
#pragma once

#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "keys/result.hpp"

namespace ifex {

// The parsed document, or an error (`bad_request`) saying what is wrong: not JSON, nested deeper
// than `max_depth`, or a key given twice in one object (named, cut to 80 bytes).
Result<boost::json::value> parse_strict_json(std::string_view text, std::size_t max_depth);

// The first key that `text` names twice in one object, quoted for a message (printable ASCII,
// cut to 80 bytes); nullopt when there is none or `text` is not JSON (the real parse says why).
// For callers that parse with their own options (the legacy importer lets bad UTF-8 through to
// name the field that holds it).
std::optional<std::string> first_duplicate_key(std::string_view text,
                                               const boost::json::parse_options& options);

}  // namespace ifex
