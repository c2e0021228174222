// The API's handlers, one per endpoint family (docs/http-api.md). Internal to node/http; the
// router in http_api.cpp checks methods, authorisation and caching before calling them.
#pragma once

#include "node/codec/http_message.hpp"
#include "node/feed/metrics_text.hpp"
#include "node/http/http_api.hpp"
#include "node/http/publish_committer.hpp"
#include "node/http/query_string.hpp"

namespace ifex::api {

HttpResponse list_alerts(ApiServices& services, const ParsedTarget& target);
// GET /api/timeline (api_timeline.cpp).
HttpResponse timeline(ApiServices& services, const ParsedTarget& target);
HttpResponse get_alert(ApiServices& services, std::string_view id_hex);
// Signs and stores through `committer` (group commit); answers once the alert is durable.
HttpResponse publish_alert(ApiServices& services, PublishCommitter& committer,
                           const HttpRequest& request);
HttpResponse search_alerts(ApiServices& services, const ParsedTarget& target,
                           LatencyWindow& latency);
// `site_url` is the web page's absolute URL, ending in '/'.
HttpResponse atom_feed(ApiServices& services, const ParsedTarget& target,
                       const std::string& site_url, const std::string& raw_target);
// `admin`: the request carried the admin token. Without it the answer holds no address, port,
// URL, pid or path (docs/http-api.md, "GET /api/status").
HttpResponse node_status(ApiServices& services, std::uint64_t started_ms, bool admin);
// Takes no parameters.
HttpResponse list_categories(const ParsedTarget& target);
// The federation's roster as this node computes it; 404 when it belongs to none.
HttpResponse federation(ApiServices& services);

}  // namespace ifex::api
