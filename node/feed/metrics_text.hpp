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
  std::string type;                   // "counter", "gauge", "summary" or "histogram"
  // For a summary: quantile-labelled samples. For a histogram: one sample per bucket, labelled
  // `le` (its upper bound), valued with the observations at or below it, bounds ascending;
  // written as <name>_bucket lines, then le="+Inf" with `count`.
  std::vector<MetricSample> samples;
  // Summaries and histograms: written as <name>_sum and <name>_count.
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

// Request durations in fixed buckets, for a histogram metric (cheap enough for every request:
// one atomic add per bucket at most). Thread-safe.
class DurationHistogram {
 public:
  // `bounds_seconds` ascending; the default suits an HTTP API (5 ms to 10 s).
  explicit DurationHistogram(std::vector<double> bounds_seconds = {0.005, 0.01, 0.025, 0.05, 0.1,
                                                                   0.25, 0.5, 1, 2.5, 5, 10});
  ~DurationHistogram();
  DurationHistogram(const DurationHistogram&) = delete;
  DurationHistogram& operator=(const DurationHistogram&) = delete;
  // Values that are NaN, infinite or negative are ignored.
  void record(double seconds);
  Metric metric(const std::string& name, const std::string& help) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ifex
