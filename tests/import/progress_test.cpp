// The progress reporter with a hand-driven clock: plain lines at the interval and never a
// carriage return; an in-place bar with count, rate and ETA; unknown totals; silence.
#include "node/base/progress.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <sstream>

namespace ifex {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Time = std::chrono::steady_clock::time_point;

struct Harness {
  Time now{seconds(1000)};
  std::ostringstream out;

  Progress::Options options(Progress::Style style, std::optional<std::uint64_t> total) {
    Progress::Options o;
    o.label = "importing";
    o.unit = "alerts";
    o.total = total;
    o.style = style;
    o.clock = [this] { return now; };
    return o;
  }
  std::string take() {
    std::string text = out.str();
    out.str("");
    return text;
  }
};

TEST_CASE("plain progress prints a line per interval, with count, rate and ETA",
          "[import][progress]") {
  Harness h;
  Progress p(h.out, h.options(Progress::Style::lines, 1000));
  h.now += seconds(1);
  p.add(100);
  CHECK(h.take().empty());  // before the 2 s interval
  h.now += seconds(1);
  p.add(100);
  CHECK(h.take() == "importing: 200/1000 alerts (20%), 100/s, ETA 0:08\n");
  h.now += milliseconds(500);
  p.add(50);
  CHECK(h.take().empty());
  h.now += seconds(2);
  p.add(200);
  CHECK(h.take() == "importing: 450/1000 alerts (45%), 100/s, ETA 0:06\n");
  h.now += seconds(1);
  p.add(550);
  p.finish();
  const std::string last = h.take();
  CHECK(last == "importing: 1000 alerts in 5.5 s, 181/s\n");
  p.finish();  // once only
  p.add(10);
  CHECK(h.take().empty());
  CHECK(p.done() == 1010);
}

TEST_CASE("the ETA follows the recent rate, not the average since the start",
          "[import][progress]") {
  // As reported in issue 11: a fast start (an idle disk), then a tenth of the speed once a
  // running node began indexing and replicating; the average said 0:29 left at 7 %.
  Harness h;
  Progress p(h.out, h.options(Progress::Style::lines, 100000));
  for (int i = 0; i < 7; ++i) {  // 7,000 alerts/s for a second
    h.now += milliseconds(143);
    p.add(1000);
  }
  h.take();
  for (int i = 0; i < 12; ++i) {  // then 700/s for 12 s
    h.now += seconds(1);
    p.add(700);
  }
  // Last line at 12 s: 14,700 done, 85,300 left at 700/s is 2:02 (the average since the start,
  // 1,225/s, would say 1:10).
  const std::string text = h.take();
  CHECK_THAT(text, Catch::EndsWith("importing: 14700/100000 alerts (14%), 700/s, ETA 2:02\n"));
  h.now += seconds(1);
  p.add(1000);
  p.finish();
  // The final line gives the average.
  CHECK_THAT(h.take(), Catch::EndsWith("importing: 16400 alerts in 14.0 s, 1171/s\n"));
}

TEST_CASE("plain progress never writes a carriage return", "[import][progress]") {
  Harness h;
  {
    Progress p(h.out, h.options(Progress::Style::lines, std::nullopt));
    for (int i = 0; i < 50; ++i) {
      h.now += milliseconds(700);
      p.add(37);
    }
    p.finish();
  }
  const std::string text = h.take();
  CHECK(text.find('\r') == std::string::npos);
  CHECK_THAT(text, Catch::Contains("importing: 333 alerts, 52/s\n"));  // unknown total: no %/ETA
  CHECK(text.find('%') == std::string::npos);
  CHECK(text.find("ETA") == std::string::npos);
  CHECK_THAT(text, Catch::EndsWith("importing: 1850 alerts in 35.0 s, 52/s\n"));
}

TEST_CASE("the terminal bar redraws in place and ends its line", "[import][progress]") {
  Harness h;
  Progress p(h.out, h.options(Progress::Style::bar, 200));
  h.now += seconds(1);
  p.add(50);
  const std::string first = h.take();
  CHECK(first == "\rimporting: [" + std::string(7, '#') + std::string(23, '.') +
                     "] 50/200 alerts (25%), 50/s, ETA 0:03");
  h.now += milliseconds(10);
  p.add(1);
  CHECK(h.take().empty());  // redrawn at most every 100 ms
  h.now += seconds(1);
  p.add(149);
  const std::string full = h.take();
  CHECK(full.rfind("\rimporting: [" + std::string(30, '#') + "] 200/200 alerts (100%), 99/s", 0) ==
        0);
  p.finish();
  const std::string last = h.take();
  const std::string summary = "importing: 200 alerts in 2.0 s, 99/s";
  // The shorter final line blanks what is left of the bar, then ends the line.
  const std::string shown = full.substr(1, full.find_last_not_of(' '));  // without \r or padding
  CHECK(last == "\r" + summary + std::string(shown.size() - summary.size(), ' ') + "\n");
}

TEST_CASE("a bar without a total shows the count and rate; an abandoned bar ends its line",
          "[import][progress]") {
  Harness h;
  {
    Progress p(h.out, h.options(Progress::Style::bar, std::nullopt));
    h.now += seconds(2);
    p.add(30);
    CHECK(h.take() == "\rimporting: 30 alerts, 15/s");
  }
  CHECK(h.take() == "\n");  // destroyed without finish(): the next output starts on a new line
}

TEST_CASE("a moved progress goes on where it was; the moved-from one stays silent",
          "[import][progress]") {
  Harness h;
  std::optional<Progress> held;
  {
    Progress p(h.out, h.options(Progress::Style::bar, 100));
    h.now += seconds(1);
    p.add(10);
    held.emplace(std::move(p));
    CHECK_THAT(h.take(), Catch::Contains("10/100"));
  }
  CHECK(h.take().empty());  // the moved-from bar does not end the line
  h.now += seconds(1);
  held->add(10);
  CHECK_THAT(h.take(), Catch::Contains("20/100 alerts (20%), 10/s"));
  held.reset();
  CHECK(h.take() == "\n");
}

TEST_CASE("silent progress prints nothing but still counts", "[import][progress]") {
  Harness h;
  Progress p(h.out, h.options(Progress::Style::none, 10));
  h.now += seconds(5);
  p.add(10);
  p.finish();
  CHECK(h.take().empty());
  CHECK(p.done() == 10);
}

}  // namespace
}  // namespace ifex
