// An HTTP request and response as the API sees them: plain strings, no Beast, so the API can be
// tested and fuzzed without sockets. node/net/server.cpp converts to and from Beast's types and
// hands requests to an HttpHandler, so the network layer needs nothing of the API but this.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ifex {

struct HttpRequest {
  std::string method;         // "GET", "HEAD", "POST", ...
  std::string target;         // origin-form: path and query, as received
  std::string host;           // Host header
  std::string authorization;  // Authorization header
  std::string if_none_match;  // If-None-Match header
  std::string content_type;   // Content-Type header
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // ETag, Cache-Control, Location...
};

// What answers HTTP requests for the server (the API, node/http/http_api.hpp). Called on the
// HTTP pool, several requests at once.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  virtual HttpResponse handle(const HttpRequest& request) = 0;
};

}  // namespace ifex
