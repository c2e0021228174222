// Helpers shared by the API's handlers: JSON answers and errors, parameter parsing, the JSON
// shape of an alert summary. Internal to node/http.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "keys/result.hpp"
#include "node/codec/archive_filters.hpp"
#include "node/codec/http_message.hpp"
#include "node/http/query_string.hpp"
#include "node/store/store.hpp"
#include "protocol/alert.hpp"

namespace ifex::api {

HttpResponse json_response(int status, const boost::json::value& body);
// {"error": message, "status": status}
HttpResponse error_response(int status, const std::string& message);
// 400 for a bad parameter or body, 404 for unknown things, 503 while the index is not ready,
// 500 otherwise.
HttpResponse error_response(const Error& error);

// A parameter outside `allowed` and the filter names is a 400: a typo must not silently widen
// what a newsletter subscribes to.
Status check_params(const ParsedTarget& target, std::initializer_list<std::string_view> allowed);
Result<AlertFilters> filters_from(const ParsedTarget& target);
Result<std::size_t> count_param(const ParsedTarget& target, const std::string& name,
                                std::size_t fallback, std::size_t min, std::size_t max);

struct LoadedAlert {
  SignedEntry entry;
  Alert alert;
};
// Errors only on I/O; nullopt when the store does not hold an alert with this id, or holds a
// void one (signed by a key after the seq its log ended at: revoked, rotated, removed). `revoked`:
// the federation's ended logs (ended_keys), read once by a request that loads many alerts.
Result<std::optional<LoadedAlert>> load_alert(const Store& store, const Hash& id,
                                              const std::map<PublicKey, std::uint64_t>& revoked);
Result<std::optional<LoadedAlert>> load_alert(const Store& store, const Hash& id);

// ALERT_SUMMARY of docs/http-api.md, with texts in `lang` when the alert has that language.
boost::json::object alert_summary(const LoadedAlert& loaded, const std::string& lang);

}  // namespace ifex::api
