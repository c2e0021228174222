// What /metrics says about the HTTP side: requests by class of status (2xx, 3xx, 4xx, 5xx: each
// request in exactly one, so sum() is the total) and how long they took. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "node/feed/metrics_text.hpp"

namespace ifex {

class RequestStats {
 public:
  void record(int status, double seconds);
  // ifexnode_http_requests_total{code} and ifexnode_http_request_duration_seconds.
  std::vector<Metric> metrics() const;

 private:
  std::array<std::atomic<std::uint64_t>, 4> by_class_{};  // 2xx, 3xx, 4xx, 5xx
  DurationHistogram durations_;
};

}  // namespace ifex
