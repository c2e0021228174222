// The router: methods, authorisation, caching headers, then the handler of each endpoint.
#include "node/http/http_api.hpp"

#include <sys/statvfs.h>

#include <boost/json/serialize.hpp>
#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <fstream>
#include <sstream>

#include "keys/bytes.hpp"
#include "node/base/log.hpp"
#include "node/base/wall_clock.hpp"
#include "node/feed/process_metrics.hpp"
#include "node/http/api_handlers.hpp"
#include "node/http/api_support.hpp"
#include "node/http/author_names.hpp"
#include "node/http/publish_committer.hpp"
#include "node/http/request_stats.hpp"
#include "node/web/web_assets.hpp"

namespace ifex {

namespace {


bool etag_matches(const std::string& if_none_match, const std::string& etag) {
  if (if_none_match.empty()) return false;
  if (if_none_match == "*") return true;
  // A list of tags; a weak comparison is what If-None-Match asks for.
  auto strip = [](std::string_view t) {
    while (!t.empty() && (t.front() == ' ' || t.front() == ',')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == ',')) t.remove_suffix(1);
    if (t.starts_with("W/")) t.remove_prefix(2);
    return t;
  };
  std::string_view want = strip(etag);
  std::string_view list = if_none_match;
  while (!list.empty()) {
    auto comma = list.find(',');
    if (strip(list.substr(0, comma)) == want) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

HttpResponse not_modified(const std::string& etag, const std::string& cache_control) {
  HttpResponse res;
  res.status = 304;
  res.headers = {{"ETag", etag}, {"Cache-Control", cache_control}};
  return res;
}

std::string bearer_token(const std::string& authorization) {
  constexpr std::string_view prefix = "Bearer ";
  if (authorization.size() <= prefix.size()) return {};
  std::string_view head(authorization.data(), prefix.size());
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(head[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return {};
  return authorization.substr(prefix.size());
}

}  // namespace

// What a node without public reads shows a request without the token: the operator's decoy
// page, or a bare 404 that names no software, no API and no realm.
HttpResponse load_hidden_answer(const std::string& decoy_file) {
  if (!decoy_file.empty()) {
    std::ifstream in(decoy_file, std::ios::binary);
    std::ostringstream page;
    page << in.rdbuf();
    if (in && !page.str().empty())
      return HttpResponse{200, "text/html; charset=utf-8", page.str(), {{"Cache-Control", "no-store"}}};
    log_event(LogLevel::warn, LogArea::http, "decoy_unreadable",
              "http.decoy_file cannot be read; answering with a bare 404 instead");
  }
  return HttpResponse{404, "text/plain; charset=utf-8", "Not Found\n", {{"Cache-Control", "no-store"}}};
}

struct HttpApi::Impl {
  explicit Impl(ApiServices services)
      : s(std::move(services)),
        hidden_answer(load_hidden_answer(s.config.http.decoy_file)),
        committer(s.store, s.identity,
                  PublishLimits{static_cast<std::size_t>(s.config.http.max_pending_publishes),
                                256},
                  s.published) {}
  ApiServices s;
  const HttpResponse hidden_answer;
  LatencyWindow search_latency{2048};
  std::uint64_t started_ms = wall_clock_ms();
  RequestStats request_stats;
  PublishCommitter committer;  // last: its thread may call s.published until it is joined

  bool authorised(const HttpRequest& r) const {
    auto token = bearer_token(r.authorization);
    return !token.empty() && s.admin_token.matches(token);
  }

  std::string site_url(const HttpRequest& r) const {
    std::string base = s.config.http.public_url;
    if (base.empty()) base = "http://" + (r.host.empty() ? s.config.network.listen : r.host);
    if (base.back() != '/') base += '/';
    return base;
  }

  // Lists, searches and feeds change only when the catalog or an author's name does: their tag
  // is the catalog's version, the names' digest and the request, so a proxy revalidates cheaply
  // and nothing is computed for a 304.
  std::string dynamic_etag(const HttpRequest& r) const {
    auto version = s.catalog.version();
    auto names = api::author_names(s.store, s.identity.public_key(), s.config.name);
    std::string material = std::to_string(version ? *version : 0) + "|" +
                           (names ? names->digest.hex() : "") + "|" + r.target + "|" +
                           (r.target.starts_with("/feed") ? site_url(r) : "");
    return "W/\"" + blake2b_256({as_bytes(material)}).hex().substr(0, 32) + "\"";
  }

  HttpResponse cached(const HttpRequest& r, const std::function<HttpResponse()>& make) {
    std::string etag = dynamic_etag(r);
    std::string cache_control = "public, max-age=" + std::to_string(s.config.http.cache_max_age_s);
    if (etag_matches(r.if_none_match, etag)) return not_modified(etag, cache_control);
    HttpResponse res = make();
    if (res.status == 200) res.headers.insert(res.headers.end(), {{"ETag", etag}, {"Cache-Control", cache_control}});
    return res;
  }

  HttpResponse metrics() {
    std::vector<Metric> all = s.node_metrics ? s.node_metrics() : std::vector<Metric>{};
    auto gauge = [](std::string name, std::string help, double v) {
      return Metric{std::move(name), std::move(help), "gauge", {{{}, v}}, 0, 0};
    };
    if (auto n = s.store.entry_count())
      all.push_back(gauge("ifexnode_entries", "Entries held in the store", static_cast<double>(*n)));
    if (auto n = s.catalog.count())
      all.push_back(gauge("ifexnode_alerts_indexed", "Alerts in the catalog and search index",
                          static_cast<double>(*n)));
    if (auto space = s.store.space()) {
      all.push_back(gauge("ifexnode_store_map_bytes", "LMDB map reserved for the store ([store] map_size_mib)",
                          static_cast<double>(space->map_bytes)));
      all.push_back(gauge("ifexnode_store_used_bytes", "Part of the store's LMDB map in use",
                          static_cast<double>(space->used_bytes)));
    }
    // Free space where the store lives (its file system, not a path: nothing here says where).
    struct statvfs fs;
    if (::statvfs(s.store.options().dir.c_str(), &fs) == 0) {
      all.push_back(gauge("ifexnode_data_free_bytes", "Free bytes on the store's file system",
                          static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize)));
      all.push_back(gauge("ifexnode_data_size_bytes", "Size of the store's file system",
                          static_cast<double>(fs.f_blocks) * static_cast<double>(fs.f_frsize)));
    }
    for (Metric& m : request_stats.metrics()) all.push_back(std::move(m));
    const PublishCommitter::Totals published = committer.totals();
    all.push_back(Metric{"ifexnode_publish_transactions_total",
                         "Write transactions (one sync each) that stored POSTed alerts", "counter",
                         {{{}, static_cast<double>(published.transactions)}}, 0, 0});
    all.push_back(Metric{"ifexnode_published_alerts_total", "Alerts stored through POST /api/alerts",
                         "counter", {{{}, static_cast<double>(published.alerts)}}, 0, 0});
    for (Metric& m : process_metrics()) all.push_back(std::move(m));
    all.push_back(Metric{"ifexnode_build_info", "The version of ifexnode running", "gauge",
                         {{{{"version", IFEXNODE_VERSION}}, 1}}, 0, 0});
    all.push_back(search_latency.summary("ifexnode_search_duration_seconds",
                                         "Time to answer a search (index and snippets)"));
    HttpResponse res;
    res.content_type = "text/plain; version=0.0.4; charset=utf-8";
    res.body = render_metrics(all);
    res.headers.emplace_back("Cache-Control", "no-store");
    return res;
  }

  HttpResponse route(const HttpRequest& r) {
    if (!s.config.http.public_reads && !authorised(r)) return hidden_answer;
    auto target = parse_target(r.target);
    if (!target) return api::error_response(target.error());
    const std::string& path = target->path;
    const bool read = r.method == "GET" || r.method == "HEAD";

    if (path == "/healthz") {
      if (!read) return api::error_response(405, "use GET");
      HttpResponse res{200, "text/plain; charset=utf-8", "ok\n", {{"Cache-Control", "no-store"}}};
      return res;
    }
    if (const WebAsset* asset = find_web_asset(path)) {
      if (!read) return api::error_response(405, "use GET");
      std::string etag(asset->etag);
      // The page is small and changes with the binary: revalidate each time, cheaply.
      std::string cache_control = "no-cache";
      if (etag_matches(r.if_none_match, etag)) return not_modified(etag, cache_control);
      return HttpResponse{200, std::string(asset->content_type), std::string(asset->body),
                          {{"ETag", etag}, {"Cache-Control", cache_control}}};
    }

    if (path == "/api/alerts" && r.method == "POST") {
      if (!authorised(r)) return unauthorised();
      return api::publish_alert(s, committer, r);
    }
    if (path == "/api/auth/check") {  // lets the page check a token before the alert is written
      if (!read) return api::error_response(405, "use GET on " + path);
      if (!authorised(r)) return unauthorised();
      return HttpResponse{200, "application/json", "{\"ok\":true}\n", {{"Cache-Control", "no-store"}}};
    }
    bool known = path == "/api/alerts" || path.starts_with("/api/alerts/") ||
                 path == "/api/search" || path == "/api/status" || path == "/feed.atom" ||
                 path == "/api/categories" || path == "/api/federation" || path == "/metrics" ||
                 path == "/api/timeline";
    if (!known) return api::error_response(404, "nothing at " + path + " (see docs/http-api.md)");
    if (!read) return api::error_response(405, "use GET on " + path);

    if (path == "/api/alerts") return cached(r, [&] { return api::list_alerts(s, *target); });
    if (path == "/api/timeline") return cached(r, [&] { return api::timeline(s, *target); });
    if (path.starts_with("/api/alerts/")) {
      std::string_view id = std::string_view(path).substr(std::string_view("/api/alerts/").size());
      // get_alert refuses a malformed id before anything else; the ETag is built from the
      // answer's body, never from the id. The entry is immutable, its author's name is not: the strong tag is the body's hash.
      HttpResponse res = api::get_alert(s, id);
      if (res.status != 200) return res;
      std::string etag = "\"" + blake2b_256({as_bytes(res.body)}).hex().substr(0, 32) + "\"";
      std::string cache_control = "public, max-age=" + std::to_string(s.config.http.cache_max_age_s);
      if (etag_matches(r.if_none_match, etag)) return not_modified(etag, cache_control);
      res.headers.insert(res.headers.end(), {{"ETag", etag}, {"Cache-Control", cache_control}});
      return res;
    }
    if (path == "/api/search")
      return cached(r, [&] { return api::search_alerts(s, *target, search_latency); });
    if (path == "/feed.atom")
      return cached(r, [&] { return api::atom_feed(s, *target, site_url(r), r.target); });
    if (path == "/api/status") return api::node_status(s, started_ms, authorised(r));
    if (path == "/api/categories") return cached(r, [&] { return api::list_categories(*target); });
    if (path == "/api/federation") {
      if (!target->params.empty()) return api::error_response(400, "no parameters here");
      // Changes come from gossip, not from the catalog: the tag is the answer's own hash.
      HttpResponse res = api::federation(s);
      if (res.status != 200) return res;
      std::string etag = "\"" + blake2b_256({as_bytes(res.body)}).hex().substr(0, 32) + "\"";
      if (etag_matches(r.if_none_match, etag)) return not_modified(etag, "no-cache");
      res.headers.insert(res.headers.end(), {{"ETag", etag}, {"Cache-Control", "no-cache"}});
      return res;
    }
    return metrics();
  }

  static HttpResponse unauthorised() {
    HttpResponse res = api::error_response(
        401, "this needs the node's admin token: send the header 'Authorization: Bearer TOKEN' "
             "(the token is in admin.token in the node's data directory)");
    res.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"ifexnode\"");
    return res;
  }
};

HttpApi::HttpApi(ApiServices services) : impl_(std::make_unique<Impl>(std::move(services))) {}
HttpApi::~HttpApi() = default;

HttpResponse HttpApi::handle(const HttpRequest& request) {
  const auto began = std::chrono::steady_clock::now();
  HttpResponse res;
  try {
    res = impl_->route(request);
  } catch (const std::exception& e) {
    res = api::error_response(500, std::string("internal error: ") + e.what());
  }
  impl_->request_stats.record(
      res.status, std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
  return res;
}

}  // namespace ifex
