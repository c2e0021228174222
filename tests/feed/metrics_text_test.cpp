// The Prometheus text format and the latency window behind its summaries.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "node/feed/metrics_text.hpp"

using namespace ifex;

namespace {

std::string number(double v) {
  // The value as render_metrics writes it: the text after the last space, without the newline.
  std::string text = render_metrics({{"m", "", "", {{{}, v}}, 0, 0}});
  return text.substr(2, text.size() - 3);
}

std::vector<double> quantile_values(const Metric& m) {
  std::vector<double> out;
  for (const auto& s : m.samples) out.push_back(s.value);
  return out;
}

}  // namespace

TEST_CASE("a small set of metrics renders exactly", "[metrics]") {
  std::vector<Metric> metrics = {
      {"ifexnode_entries", "Entries in the store.", "gauge", {{{}, 42}}, 0, 0},
      {"ifexnode_bytes_total",
       "Bytes sent and received.",
       "counter",
       {{{{"direction", "in"}}, 1000000}, {{{"direction", "out"}}, 2.5}},
       0,
       0},
      {"ifexnode_search_duration_seconds",
       "Search latency.",
       "summary",
       {{{{"quantile", "0.5"}}, 0.125}, {{{"quantile", "0.99"}}, 1.5}},
       3.75,
       12},
      {"ifexnode_up", "", "", {{{{"b", "2"}, {"a", "1"}}, 1}}, 0, 0},
  };
  CHECK(render_metrics(metrics) ==
        "# HELP ifexnode_entries Entries in the store.\n"
        "# TYPE ifexnode_entries gauge\n"
        "ifexnode_entries 42\n"
        "# HELP ifexnode_bytes_total Bytes sent and received.\n"
        "# TYPE ifexnode_bytes_total counter\n"
        "ifexnode_bytes_total{direction=\"in\"} 1000000\n"
        "ifexnode_bytes_total{direction=\"out\"} 2.5\n"
        "# HELP ifexnode_search_duration_seconds Search latency.\n"
        "# TYPE ifexnode_search_duration_seconds summary\n"
        "ifexnode_search_duration_seconds{quantile=\"0.5\"} 0.125\n"
        "ifexnode_search_duration_seconds{quantile=\"0.99\"} 1.5\n"
        "ifexnode_search_duration_seconds_sum 3.75\n"
        "ifexnode_search_duration_seconds_count 12\n"
        "ifexnode_up{a=\"1\",b=\"2\"} 1\n");
  CHECK(render_metrics({}) == "");
}

TEST_CASE("help text and label values are escaped, names sanitised", "[metrics][escape]") {
  Metric m{"bad-name.x",
           "Line one\nback\\slash \"quoted\"",
           "gauge",
           {{{{"peer", "a\\b\"c\nd"}, {"bad label", "ok"}}, 7}},
           0,
           0};
  CHECK(render_metrics({m}) ==
        "# HELP bad_name_x Line one\\nback\\\\slash \"quoted\"\n"
        "# TYPE bad_name_x gauge\n"
        "bad_name_x{bad_label=\"ok\",peer=\"a\\\\b\\\"c\\nd\"} 7\n");
  CHECK(render_metrics({{"9lives:x", "", "counter", {{{{"0x", "v"}}, 1}}, 0, 0}}) ==
        "# TYPE _lives:x counter\n"
        "_lives:x{_x=\"v\"} 1\n");
}

TEST_CASE("numbers: integers stay integral, doubles round-trip", "[metrics][number]") {
  CHECK(number(0) == "0");
  CHECK(number(-0.0) == "0");
  CHECK(number(-3) == "-3");
  CHECK(number(1e6) == "1000000");
  CHECK(number(9007199254740993.0) == "9007199254740992");
  CHECK(number(0.1) == "0.1");
  CHECK(number(2.5) == "2.5");
  CHECK(number(1e-7) == "1e-07");
  CHECK(number(1e300) == "1e+300");
  CHECK(number(std::numeric_limits<double>::quiet_NaN()) == "NaN");
  CHECK(number(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(number(-std::numeric_limits<double>::infinity()) == "-Inf");
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> dist(-1e6, 1e6);
  for (double v : {0.1 + 0.2, 1.0 / 3, 5e-324, 1.7976931348623157e308, dist(rng), dist(rng),
                   dist(rng) * 1e-9, dist(rng) * 1e15}) {
    INFO(number(v));
    CHECK(std::strtod(number(v).c_str(), nullptr) == v);
  }
  CHECK(number(0.1 + 0.2) == "0.30000000000000004");
}

TEST_CASE("a latency window gives nearest-rank quantiles of known values", "[metrics][window]") {
  LatencyWindow window(1000);
  std::vector<double> values;
  for (int i = 1; i <= 100; ++i) values.push_back(i * 0.5);
  std::shuffle(values.begin(), values.end(), std::mt19937(42));
  for (double v : values) window.record(v);

  Metric m = window.summary("ifexnode_search_duration_seconds", "Search latency.");
  CHECK(render_metrics({m}) ==
        "# HELP ifexnode_search_duration_seconds Search latency.\n"
        "# TYPE ifexnode_search_duration_seconds summary\n"
        "ifexnode_search_duration_seconds{quantile=\"0.5\"} 25\n"
        "ifexnode_search_duration_seconds{quantile=\"0.9\"} 45\n"
        "ifexnode_search_duration_seconds{quantile=\"0.99\"} 49.5\n"
        "ifexnode_search_duration_seconds_sum 2525\n"
        "ifexnode_search_duration_seconds_count 100\n");

  SECTION("non-finite and negative values are ignored") {
    window.record(std::nan(""));
    window.record(-1);
    window.record(std::numeric_limits<double>::infinity());
    Metric again = window.summary("s", "");
    CHECK(again.count == 100);
    CHECK(again.sum == 2525);
    CHECK(quantile_values(again) == std::vector<double>{25, 45, 49.5});
  }
}

TEST_CASE("the window keeps the last N values; sum and count are all-time", "[metrics][window]") {
  LatencyWindow window(10);
  for (int i = 1; i <= 20; ++i) window.record(i);
  Metric m = window.summary("s", "");
  CHECK(m.count == 20);
  CHECK(m.sum == 210);
  CHECK(quantile_values(m) == std::vector<double>{15, 19, 20});  // over 11..20

  LatencyWindow one(0);  // capacity is at least 1
  one.record(3);
  one.record(4);
  CHECK(quantile_values(one.summary("s", "")) == std::vector<double>{4, 4, 4});
}

TEST_CASE("an empty window reports NaN quantiles", "[metrics][window]") {
  LatencyWindow window;
  Metric m = window.summary("empty_seconds", "");
  CHECK(render_metrics({m}) ==
        "# TYPE empty_seconds summary\n"
        "empty_seconds{quantile=\"0.5\"} NaN\n"
        "empty_seconds{quantile=\"0.9\"} NaN\n"
        "empty_seconds{quantile=\"0.99\"} NaN\n"
        "empty_seconds_sum 0\n"
        "empty_seconds_count 0\n");
}

TEST_CASE("several threads record at once and none is lost", "[metrics][window][threads]") {
  LatencyWindow window(256);
  constexpr int threads = 8;
  constexpr int per_thread = 20000;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&window, t] {
      for (int i = 0; i < per_thread; ++i) window.record(0.25 * (1 + (i + t) % 4));
    });
  }
  // A reader at the same time: every quantile it sees is one of the recorded values. (Catch2
  // assertions are not thread-safe, so the reader only counts what is wrong.)
  std::atomic<int> bad{0};
  std::thread reader([&window, &bad] {
    for (int i = 0; i < 200; ++i) {
      Metric m = window.summary("s", "");
      for (double q : quantile_values(m))
        if (m.count > 0 && (q < 0.25 || q > 1.0)) ++bad;
    }
  });
  for (auto& w : workers) w.join();
  reader.join();
  CHECK(bad == 0);
  Metric m = window.summary("s", "");
  CHECK(m.count == std::uint64_t{threads} * per_thread);
  // Each thread records 0.25, 0.5, 0.75, 1.0 equally often: exact in binary floating point.
  CHECK(m.sum == threads * per_thread * 0.625);
}

TEST_CASE("a histogram renders cumulative buckets, +Inf, sum and count", "[metrics]") {
  DurationHistogram h({0.1, 1});
  h.record(0.0625);
  h.record(0.5);
  h.record(0.5);
  h.record(3);
  h.record(-1);  // ignored
  std::string text = render_metrics({h.metric("req_seconds", "Request time")});
  CHECK(text ==
        "# HELP req_seconds Request time\n"
        "# TYPE req_seconds histogram\n"
        "req_seconds_bucket{le=\"0.1\"} 1\n"
        "req_seconds_bucket{le=\"1\"} 3\n"
        "req_seconds_bucket{le=\"+Inf\"} 4\n"
        "req_seconds_sum 4.0625\n"
        "req_seconds_count 4\n");
}
