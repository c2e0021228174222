// GET /feed.atom: the newest alerts by signing time, for newsletters and feed readers.
#include <chrono>

#include "keys/key_text.hpp"
#include "node/base/wall_clock.hpp"
#include "node/feed/atom_feed.hpp"
#include "node/http/api_handlers.hpp"
#include "node/http/api_support.hpp"
#include "node/http/author_names.hpp"
#include "node/store/federation_load.hpp"

namespace ifex::api {

namespace {

// `include=archive` adds the records imported from the legacy archive; without it a feed holds
// new reports only, so a bulk import never pushes them out of a newsletter.
Result<bool> include_archive(const ParsedTarget& target) {
  auto it = target.params.find("include");
  if (it == target.params.end() || it->second.empty()) return false;
  if (it->second == "archive") return true;
  return make_error("bad_parameter", "parameter 'include': the only value is 'archive'");
}

}  // namespace

HttpResponse atom_feed(ApiServices& s, const ParsedTarget& target, const std::string& site_url,
                       const std::string& raw_target) {
  if (auto st = check_params(target, {"limit", "include"}); !st) return error_response(st.error());
  auto filters = filters_from(target);
  if (!filters) return error_response(filters.error());
  auto limit = count_param(target, "limit", 50, 1, s.config.http.max_page_size);
  if (!limit) return error_response(limit.error());
  auto archive = include_archive(target);
  if (!archive) return error_response(archive.error());
  auto ids = s.catalog.list_recent(*filters, *limit, *archive);
  if (!ids) return error_response(ids.error());
  auto names = author_names(s.store, s.identity.public_key(), s.config.name);
  if (!names) return error_response(names.error());

  auto revoked = ended_keys(s.store);
  if (!revoked) return error_response(revoked.error());
  std::vector<FeedItem> items;
  std::uint64_t newest = 0;
  for (const auto& id : *ids) {
    auto loaded = load_alert(s.store, id, *revoked);
    if (!loaded) return error_response(loaded.error());
    if (!*loaded) continue;
    newest = std::max(newest, (*loaded)->entry.created_ms());
    auto name = names->names.find((*loaded)->entry.author());
    items.push_back({std::move((*loaded)->entry), std::move((*loaded)->alert),
                     name == names->names.end() ? std::string{} : name->second});
  }
  std::string title = "IFEX alerts from " + s.config.name;
  std::string facets;
  for (const auto* part : {&filters->lang, &filters->country, &filters->category})
    if (!part->empty()) facets += (facets.empty() ? "" : ", ") + *part;
  if (*archive) facets += std::string(facets.empty() ? "" : ", ") + "with the archive";
  if (!facets.empty()) title += " (" + facets + ")";
  // A feed's id must not change between fetches: derive it from the node and the filters.
  std::string canonical = public_key_to_text(s.identity.public_key()) + "|" + filters->lang + "|" +
                          filters->country + "|" + filters->category + "|" +
                          (filters->author ? public_key_to_text(*filters->author) : "") + "|" +
                          filters->from_date + "|" + filters->to_date;
  // Feeds made before `include` existed keep their ids; the archive feed is another feed.
  if (*archive) canonical += "|archive";
  Hash digest = blake2b_256({as_bytes(canonical)});
  FeedInfo info{title,
                site_url.substr(0, site_url.size() - 1) + raw_target,
                site_url,
                "urn:ifexnode:feed:" + digest.hex(),
                filters->lang,
                newest != 0 ? newest : wall_clock_ms()};
  HttpResponse res;
  res.content_type = "application/atom+xml; charset=utf-8";
  res.body = render_atom_feed(info, items);
  return res;
}

}  // namespace ifex::api
