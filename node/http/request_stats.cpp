#include "node/http/request_stats.hpp"

#include <algorithm>
#include <string>

namespace ifex {

void RequestStats::record(int status, double seconds) {
  // 1xx is never answered here; anything outside 200..599 would be a bug, kept visible as 5xx.
  int cls = status >= 200 && status < 600 ? status / 100 - 2 : 3;
  by_class_[static_cast<std::size_t>(std::clamp(cls, 0, 3))]++;
  durations_.record(seconds);
}

std::vector<Metric> RequestStats::metrics() const {
  Metric requests{"ifexnode_http_requests_total",
                  "HTTP requests answered, by class of status",
                  "counter",
                  {},
                  0,
                  0};
  for (std::size_t i = 0; i < by_class_.size(); ++i)
    requests.samples.push_back(
        {{{"code", std::to_string(i + 2) + "xx"}}, static_cast<double>(by_class_[i].load())});
  return {std::move(requests),
          durations_.metric("ifexnode_http_request_duration_seconds",
                            "Time to answer an HTTP request, from parsed request to response")};
}

}  // namespace ifex
