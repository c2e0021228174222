#include "node/feed/metrics_text.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <mutex>
#include <string_view>

namespace ifex {

namespace {

// [a-zA-Z_:][a-zA-Z0-9_:]* for metric names; label names are the same without ':'.
std::string sanitized_name(std::string_view name, bool allow_colon) {
  std::string out(name.empty() ? "_" : name);
  for (std::size_t i = 0; i < out.size(); ++i) {
    char c = out[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (allow_colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) out[i] = '_';
  }
  return out;
}

// HELP escapes backslash and newline; label values also the double quote.
void append_escaped(std::string& out, std::string_view s, bool quote) {
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[32];
  std::to_chars_result r;
  // Counters read better as "1000000" than as the shorter "1e+06".
  if (v == std::trunc(v) && std::fabs(v) < 9.0e18) {
    r = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(v));
  } else {
    r = std::to_chars(buf, buf + sizeof buf, v);  // shortest form that round-trips
  }
  out.append(buf, r.ptr);
}

void append_sample(std::string& out, const std::string& name, const MetricSample& sample) {
  out += name;
  if (!sample.labels.empty()) {
    out += '{';
    bool first = true;
    for (const auto& [label, value] : sample.labels) {
      if (!first) out += ',';
      first = false;
      out += sanitized_name(label, false);
      out += "=\"";
      append_escaped(out, value, true);
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  append_number(out, sample.value);
  out += '\n';
}

}  // namespace

std::string render_metrics(const std::vector<Metric>& metrics) {
  std::string out;
  for (const auto& metric : metrics) {
    const std::string name = sanitized_name(metric.name, true);
    if (!metric.help.empty()) {
      out += "# HELP " + name + ' ';
      append_escaped(out, metric.help, false);
      out += '\n';
    }
    if (!metric.type.empty())
      out += "# TYPE " + name + ' ' + sanitized_name(metric.type, false) + '\n';
    const bool histogram = metric.type == "histogram";
    for (const auto& sample : metric.samples)
      append_sample(out, histogram ? name + "_bucket" : name, sample);
    if (histogram)
      append_sample(out, name + "_bucket", {{{"le", "+Inf"}}, static_cast<double>(metric.count)});
    if (metric.type == "summary" || metric.type == "histogram") {
      append_sample(out, name + "_sum", {{}, metric.sum});
      out += name + "_count ";
      out += std::to_string(metric.count);
      out += '\n';
    }
  }
  return out;
}

struct LatencyWindow::Impl {
  std::mutex mutex;
  std::vector<double> ring;  // grows to capacity, then overwritten from `next`
  std::size_t capacity;
  std::size_t next = 0;
  double sum = 0;
  std::uint64_t count = 0;
};

LatencyWindow::LatencyWindow(std::size_t capacity) : impl_(std::make_shared<Impl>()) {
  impl_->capacity = std::max<std::size_t>(capacity, 1);
  impl_->ring.reserve(impl_->capacity);
}

void LatencyWindow::record(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return;
  std::lock_guard lock(impl_->mutex);
  if (impl_->ring.size() < impl_->capacity) {
    impl_->ring.push_back(seconds);
  } else {
    impl_->ring[impl_->next] = seconds;
  }
  impl_->next = (impl_->next + 1) % impl_->capacity;
  impl_->sum += seconds;
  ++impl_->count;
}

Metric LatencyWindow::summary(const std::string& name, const std::string& help) const {
  Metric metric{name, help, "summary", {}, 0, 0};
  std::vector<double> values;
  {
    std::lock_guard lock(impl_->mutex);
    values = impl_->ring;
    metric.sum = impl_->sum;
    metric.count = impl_->count;
  }
  for (double q : {0.5, 0.9, 0.99}) {
    double value = std::nan("");
    if (!values.empty()) {
      // Nearest rank; the epsilon keeps q*n from landing just above an integer it should equal.
      double rank = std::ceil(q * static_cast<double>(values.size()) - 1e-9);
      std::size_t index = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
      index = std::min(index, values.size() - 1);
      std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index),
                       values.end());
      value = values[index];
    }
    char label[16];
    auto r = std::to_chars(label, label + sizeof label, q);
    metric.samples.push_back({{{"quantile", std::string(label, r.ptr)}}, value});
  }
  return metric;
}

struct DurationHistogram::Impl {
  std::vector<double> bounds;
  std::vector<std::atomic<std::uint64_t>> counts;  // per bucket, not cumulative
  std::atomic<std::uint64_t> count{0};
  std::mutex sum_mutex;  // a double has no atomic add before C++20's atomic<double>::fetch_add
  double sum = 0;
  explicit Impl(std::vector<double> b) : bounds(std::move(b)), counts(bounds.size()) {}
};

DurationHistogram::DurationHistogram(std::vector<double> bounds_seconds)
    : impl_(std::make_unique<Impl>(std::move(bounds_seconds))) {}
DurationHistogram::~DurationHistogram() = default;

void DurationHistogram::record(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return;
  auto it = std::lower_bound(impl_->bounds.begin(), impl_->bounds.end(), seconds);
  if (it != impl_->bounds.end()) impl_->counts[static_cast<std::size_t>(it - impl_->bounds.begin())]++;
  {
    std::lock_guard lock(impl_->sum_mutex);
    impl_->sum += seconds;
  }
  impl_->count++;
}

Metric DurationHistogram::metric(const std::string& name, const std::string& help) const {
  Metric m{name, help, "histogram", {}, 0, 0};
  {
    std::lock_guard lock(impl_->sum_mutex);
    m.sum = impl_->sum;
  }
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < impl_->bounds.size(); ++i) {
    cumulative += impl_->counts[i].load();
    std::string le;
    append_number(le, impl_->bounds[i]);
    m.samples.push_back({{{"le", le}}, static_cast<double>(cumulative)});
  }
  // Read last and at least the buckets' total, so +Inf never falls below a bucket.
  m.count = std::max(impl_->count.load(), cumulative);
  return m;
}

}  // namespace ifex
