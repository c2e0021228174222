// GET /api/alerts, GET /api/alerts/{id}, POST /api/alerts (GET /api/status: api_status.cpp).
#include <algorithm>
#include <boost/json/parse.hpp>

#include "keys/key_text.hpp"
#include "node/codec/entry_json.hpp"
#include "node/codec/strict_json.hpp"
#include "node/http/api_handlers.hpp"
#include "node/http/api_support.hpp"
#include "node/http/author_names.hpp"
#include "node/http/facets_json.hpp"
#include "node/store/federation_load.hpp"

namespace ifex::api {

namespace json = boost::json;

HttpResponse list_alerts(ApiServices& s, const ParsedTarget& target) {
  if (auto st = check_params(target, {"limit", "cursor"}); !st) return error_response(st.error());
  auto filters = filters_from(target);
  if (!filters) return error_response(filters.error());
  auto limit = count_param(target, "limit", 20, 1, s.config.http.max_page_size);
  if (!limit) return error_response(limit.error());
  auto cursor = target.params.count("cursor") ? target.params.at("cursor") : std::string{};
  auto page = s.catalog.list(*filters, *limit, cursor);
  if (!page) return error_response(page.error());
  auto names = author_names(s.store, s.identity.public_key(), s.config.name);
  if (!names) return error_response(names.error());
  auto revoked = ended_keys(s.store);
  if (!revoked) return error_response(revoked.error());
  json::array alerts;
  for (const auto& row : page->rows) {
    auto loaded = load_alert(s.store, row.id, *revoked);
    if (!loaded) return error_response(loaded.error());
    if (!*loaded) continue;
    json::object summary = alert_summary(**loaded, filters->lang);
    put_author_name(summary, *names, (*loaded)->entry.author());
    alerts.push_back(std::move(summary));
  }
  json::value next = page->next_cursor.empty() ? json::value(nullptr) : json::value(page->next_cursor);
  json::object out{{"alerts", std::move(alerts)}, {"next_cursor", next}};
  // The first page says how many alerts the filters match and how they divide; later pages
  // (the same filters) leave that out rather than count again.
  if (cursor.empty()) {
    auto counts = s.catalog.facet_counts(*filters);
    if (!counts) return error_response(counts.error());
    auto voided = s.catalog.voided();
    if (!voided) return error_response(voided.error());
    out["total"] = counts->total;
    out["total_exact"] = counts->exact && !counts_lag_revocations(*revoked, *voided);
    out["facets"] = facets_json(*counts, *names);
  }
  return json_response(200, out);
}

HttpResponse get_alert(ApiServices& s, std::string_view id_hex) {
  // Ids are printed in lower case; anything else (a %-decoded CR/LF/NUL above all) is refused
  // here, the one check every path to an alert goes through.
  auto lower_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  auto id = id_hex.size() == 64 && std::all_of(id_hex.begin(), id_hex.end(), lower_hex)
                ? Hash::from_hex(id_hex)
                : std::nullopt;
  if (!id) return error_response(400, "an alert id is 64 lower-case hexadecimal characters");
  auto loaded = load_alert(s.store, *id);
  if (!loaded) return error_response(loaded.error());
  if (!*loaded) {
    auto held = s.store.entry_by_id(*id);
    auto is_void = held && *held ? is_void_entry(s.store, (*held)->author(), (*held)->seq())
                                 : Result<bool>(false);
    if (is_void && *is_void)
      return error_response(410, "alert " + std::string(id_hex) +
                                     " was signed after the federation ended its author's log "
                                     "(revoked, rotated or removed)");
    return error_response(404, "no alert with id " + std::string(id_hex) + " here");
  }
  const auto& e = (*loaded)->entry;
  json::object out = alert_summary(**loaded, "");
  out["prev"] = e.prev().hex();
  out["signature"] = e.signature().hex();
  out["alert"] = alert_to_json((*loaded)->alert);
  auto names = author_names(s.store, s.identity.public_key(), s.config.name);
  if (!names) return error_response(names.error());
  put_author_name(out, *names, e.author());
  return json_response(200, out);
}

HttpResponse publish_alert(ApiServices& s, PublishCommitter& committer,
                           const HttpRequest& request) {
  if (s.config.role == NodeRole::relay)
    return error_response(403, "this node is a relay: it carries the members' logs and "
                               "publishes nothing; publish from a member node");
  if (request.content_type.find("application/json") == std::string::npos)
    return error_response(415, "send the alert as JSON with Content-Type: application/json");
  // An alert is three levels deep; anything deeper is not one. A key given twice is refused:
  // the node must sign what every reader of the body sees, not the last of two titles.
  auto body = parse_strict_json(request.body, 16);
  if (!body) return error_response(400, body.error().message);
  auto alert = alert_from_json(*body);
  if (!alert) return error_response(400, alert.error().message);
  if (auto st = validate_alert(*alert, Vocabulary::known_only); !st)
    return error_response(400, "invalid alert: " + st.error().message);
  auto entry = committer.publish(encode_alert(*alert));
  if (!entry) {
    HttpResponse refused = error_response(entry.error());
    // A hold lasts until the node has heard from its peers, a full queue a moment: a publishing
    // tool may retry (nothing was stored).
    if (entry.error().code == "publishing_held") refused.headers.emplace_back("Retry-After", "5");
    if (entry.error().code == "publish_queue_full")
      refused.headers.emplace_back("Retry-After", "1");
    return refused;
  }
  auto res = json_response(201, json::object{{"id", entry->id().hex()}, {"seq", entry->seq()}});
  res.headers.emplace_back("Location", "/api/alerts/" + entry->id().hex());
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

}  // namespace ifex::api
