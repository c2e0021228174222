// The Prometheus text exposition format (version 0.0.4) for /metrics.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ifex {

struct MetricSample {
  std::map<std::string, std::string> labels;  // label values are escaped by the writer
  double value = 0;
};

struct Metric {
  std::string name;  // [a-zA-Z_:][a-zA-Z0-9_:]*
  std::string help;
  std::string type;                   // "counter", "gauge" or "summary"
  std::vector<MetricSample> samples;  // for a summary: quantile-labelled samples; see below
  // Summaries only: written as <name>_sum and <name>_count.
  double sum = 0;
  std::uint64_t count = 0;
};

// One "# HELP", one "# TYPE" (each left out when empty) and the samples of each metric, in order.
// Help text and label values are escaped; characters not allowed in a metric or label name are
// written as '_'. Integral values print as integers, others in the shortest form that reads back
// to the same double; NaN, +Inf and -Inf in Prometheus's spelling. Pure; thread-safe.
std::string render_metrics(const std::vector<Metric>& metrics);

// A bounded reservoir of recent durations, giving quantiles for a summary metric: a ring of the
// last `capacity` values (at least 1). Thread-safe: record and summary may be called from any
// threads at once. Copies share one window (the state is held by a shared_ptr).
class LatencyWindow {
 public:
  explicit LatencyWindow(std::size_t capacity = 1024);
  // Values that are NaN, infinite or negative are ignored.
  void record(double seconds);
  // Quantiles 0.5, 0.9, 0.99 over the window (nearest rank: the ceil(q*n)-th smallest; NaN
  // while the window is empty), plus the all-time sum and count. The quantiles are found on a
  // copy, outside the lock.
  Metric summary(const std::string& name, const std::string& help) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace ifex
