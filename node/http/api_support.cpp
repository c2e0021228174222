#include "node/http/api_support.hpp"

#include <boost/json/serialize.hpp>
#include <charconv>

#include "keys/key_text.hpp"
#include "node/base/log.hpp"
#include "node/codec/entry_json.hpp"
#include "node/search/search_errors.hpp"
#include "node/store/federation_load.hpp"

namespace ifex::api {

namespace json = boost::json;

HttpResponse json_response(int status, const json::value& body) {
  HttpResponse res;
  res.status = status;
  res.content_type = "application/json";
  res.body = json::serialize(body) + "\n";
  return res;
}

HttpResponse error_response(int status, const std::string& message) {
  auto res = json_response(status, json::object{{"error", message}, {"status", status}});
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

HttpResponse error_response(const Error& error) {
  const std::string& c = error.code;
  // The message names the shard's address: the operator's log has it, a reader does not.
  if (search_errors::is_shard_unavailable(error)) {
    log_event(LogLevel::warn, LogArea::http, "search_shard_unavailable", error.message,
              {{"error", error.message}});
    return error_response(503, "search is unavailable: a search shard cannot be reached; try "
                               "again shortly");
  }
  int status = 500;
  if (c == "bad_parameter" || c == "bad_request" || c == "bad_query" || c == "bad_cursor" ||
      c == "bad_alert")
    status = 400;
  else if (c == "not_found")
    status = 404;
  else if (search_errors::is_no_index(error) || search_errors::is_index_locked(error) ||
           c == "publishing_held" || c == "publish_queue_full" || c == "shutting_down")
    status = 503;
  else if (c == "too_large")
    status = 413;
  else if (c == "store_full" || c == "disk_full")
    status = 507;
  return error_response(status, error.message);
}

Status check_params(const ParsedTarget& target, std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : target.params) {
    bool known = is_filter_name(name);
    for (auto a : allowed) known = known || a == name;
    if (!known)
      return make_error("bad_parameter", "unknown parameter '" + name + "'");
  }
  return Status::success();
}

Result<AlertFilters> filters_from(const ParsedTarget& target) {
  AlertFilters filters;
  for (const auto& [name, value] : target.params) {
    if (!is_filter_name(name) || value.empty()) continue;
    if (auto st = set_filter(filters, name, value); !st) return st.error();
  }
  return filters;
}

Result<std::size_t> count_param(const ParsedTarget& target, const std::string& name,
                                std::size_t fallback, std::size_t min, std::size_t max) {
  auto it = target.params.find(name);
  if (it == target.params.end() || it->second.empty()) return fallback;
  const std::string& text = it->second;
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max)
    return make_error("bad_parameter", "parameter '" + name + "': expected a whole number from " +
                                           std::to_string(min) + " to " + std::to_string(max));
  return value;
}

Result<std::optional<LoadedAlert>> load_alert(const Store& store, const Hash& id,
                                              const std::map<PublicKey, std::uint64_t>& revoked) {
  auto entry = store.entry_by_id(id);
  if (!entry) return entry.error();
  if (!*entry || (*entry)->kind() != EntryKind::alert) return std::optional<LoadedAlert>{};
  // Signed with a key after the federation revoked it: a thief's, never shown to readers.
  if (auto r = revoked.find((*entry)->author()); r != revoked.end() && (*entry)->seq() > r->second)
    return std::optional<LoadedAlert>{};
  auto alert = decode_alert((*entry)->payload());
  if (!alert) return std::optional<LoadedAlert>{};
  return std::optional<LoadedAlert>{LoadedAlert{std::move(**entry), std::move(*alert)}};
}

Result<std::optional<LoadedAlert>> load_alert(const Store& store, const Hash& id) {
  auto revoked = ended_keys(store);
  if (!revoked) return revoked.error();
  return load_alert(store, id, *revoked);
}

json::object alert_summary(const LoadedAlert& loaded, const std::string& lang) {
  const auto& e = loaded.entry;
  const auto& a = loaded.alert;
  const AlertText& text = text_in(a, lang);
  json::array langs{json::string(a.original.lang)};
  for (const auto& t : a.translations) langs.emplace_back(t.lang);
  json::array categories;
  for (const auto& c : a.categories) categories.emplace_back(c);
  return json::object{{"id", e.id().hex()},
                      {"author", public_key_to_text(e.author())},
                      {"fingerprint", fingerprint(e.author())},
                      {"seq", e.seq()},
                      {"created", e.created_ms()},
                      {"created_at", iso8601_utc(e.created_ms())},
                      {"date", alert_date(a.event_date, e.created_ms())},
                      {"event_date", a.event_date},
                      {"country", a.country},
                      {"categories", std::move(categories)},
                      {"lang", text.lang},
                      {"langs", std::move(langs)},
                      {"title", text.title},
                      {"summary", text.summary}};
}

}  // namespace ifex::api
