// The node's HTTP side: the JSON API, the Atom feed, /metrics, /healthz and the web page
// (docs/http-api.md). Pure request-in, response-out: the server hands it a parsed request on
// one of the API threads; it never blocks the network thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "keys/identity.hpp"
#include "node/archive/alert_catalog.hpp"
#include "node/codec/http_message.hpp"
#include "node/feed/metrics_text.hpp"
#include "node/home/admin_token.hpp"
#include "node/home/config.hpp"
#include "node/http/search_readers.hpp"
#include "node/store/store.hpp"

namespace ifex {

// What the API reads and writes; everything outlives the HttpApi.
struct ApiServices {
  const NodeConfig& config;
  Store& store;
  AlertCatalog& catalog;
  SearchReaders& search;
  const Identity& identity;            // signs alerts published with POST /api/alerts
  const AdminTokenCheck& admin_token;
  std::function<std::string()> node_status;            // the core's status JSON (object)
  std::function<std::vector<Metric>()> node_metrics;   // the core's counters for /metrics
  std::function<void()> published;  // local alerts were stored (on the publish committer's thread)
};

class HttpApi final : public HttpHandler {
 public:
  explicit HttpApi(ApiServices services);
  ~HttpApi() override;
  // Never throws; every failure is an HTTP error response with a JSON message.
  HttpResponse handle(const HttpRequest& request) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ifex
