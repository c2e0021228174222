// GET /api/search.
#include <chrono>

#include "node/http/api_handlers.hpp"
#include "node/http/api_support.hpp"
#include "node/http/author_names.hpp"
#include "node/http/facets_json.hpp"
#include "node/search/search_errors.hpp"
#include "node/store/federation_load.hpp"

namespace ifex::api {

namespace json = boost::json;

HttpResponse search_alerts(ApiServices& s, const ParsedTarget& target, LatencyWindow& latency) {
  if (auto st = check_params(target, {"q", "limit", "offset", "sort"}); !st)
    return error_response(st.error());
  auto filters = filters_from(target);
  if (!filters) return error_response(filters.error());
  auto limit = count_param(target, "limit", 20, 1, s.config.http.max_page_size);
  if (!limit) return error_response(limit.error());
  auto offset = count_param(target, "offset", 0, 0, s.config.http.max_search_offset);
  if (!offset) return error_response(offset.error());
  auto q = target.params.find("q");
  if (q == target.params.end() || q->second.find_first_not_of(" \t\r\n") == std::string::npos)
    return error_response(400, "parameter 'q': give the words to search for");
  if (q->second.size() > s.config.http.max_query_bytes)
    return error_response(400, "parameter 'q': longer than " +
                                   std::to_string(s.config.http.max_query_bytes) + " bytes");

  SearchSort sort = SearchSort::relevance;
  if (auto it = target.params.find("sort"); it != target.params.end()) {
    if (it->second == "newest") sort = SearchSort::newest;
    else if (it->second == "oldest") sort = SearchSort::oldest;
    else if (it->second != "relevance")
      return error_response(400, "parameter 'sort': relevance, newest or oldest");
  }

  auto started = std::chrono::steady_clock::now();
  auto index = s.search.borrow();
  if (!index) {
    if (search_errors::is_no_index(index.error()))
      return error_response(503, "the search index is being built; try again shortly");
    return error_response(index.error());
  }
  SearchRequest request{q->second, *filters, *offset, *limit, sort, true,
                        s.config.http.max_facet_matches};
  auto revoked = ended_keys(s.store);
  if (!revoked) return error_response(revoked.error());
  std::vector<LoadedAlert> loaded;
  auto loader = [&](const Hash& id) -> std::optional<Alert> {
    auto got = load_alert(s.store, id, *revoked);
    if (!got || !*got) return std::nullopt;
    loaded.push_back(std::move(**got));
    return loaded.back().alert;
  };
  auto results = (*index)->search(request, loader);
  if (!results) return error_response(results.error());
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  latency.record(took);

  auto names = author_names(s.store, s.identity.public_key(), s.config.name);
  if (!names) return error_response(names.error());
  auto voided = s.catalog.voided();
  if (!voided) return error_response(voided.error());
  const bool exact = results->facets.exact && !counts_lag_revocations(*revoked, *voided);
  json::array out;
  for (const auto& hit : results->hits) {
    const LoadedAlert* found = nullptr;
    for (const auto& l : loaded)
      if (l.entry.id() == hit.id) found = &l;
    std::optional<LoadedAlert> fetched;
    if (!found) {
      auto got = load_alert(s.store, hit.id, *revoked);
      if (!got) return error_response(got.error());
      if (!*got) continue;  // indexed but not (or no longer) readable: skip
      fetched = std::move(**got);
      found = &*fetched;
    }
    auto item = alert_summary(*found, filters->lang);
    put_author_name(item, *names, found->entry.author());
    item["score"] = hit.percent;
    item["snippet_html"] = hit.snippet_html;
    out.push_back(std::move(item));
  }
  std::size_t next = *offset + results->hits.size();
  bool more = !results->hits.empty() && next < results->facets.total &&
              next <= s.config.http.max_search_offset;
  return json_response(200, json::object{{"query", q->second},
                                         {"total_estimate", results->total_estimate},
                                         {"total", results->facets.total},
                                         {"total_exact", exact},
                                         {"sort", sort == SearchSort::relevance ? "relevance"
                                                  : sort == SearchSort::newest  ? "newest"
                                                                                : "oldest"},
                                         {"offset", *offset},
                                         {"next_offset", more ? json::value(next) : json::value(nullptr)},
                                         {"took_ms", took * 1000.0},
                                         {"results", std::move(out)},
                                         {"facets", facets_json(results->facets, *names)}});
}

}  // namespace ifex::api
