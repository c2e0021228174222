// The indexing thread's progress lines with a hand-driven clock: quiet for small backlogs; a
// start line, a line after the first round, one per interval with the recent rate, an end line.
#include <catch2/catch.hpp>

#include "node/archive/index_progress.hpp"

using namespace ifex;
using std::chrono::seconds;

TEST_CASE("indexing progress: quiet for small backlogs, lines for a bulk one") {
  std::chrono::steady_clock::time_point now{seconds(500)};
  IndexProgressLog log(5000, seconds(10), [&] { return now; });

  // Each round: it starts now, takes `took`, and the clock is read at its end.
  auto round = [&](seconds took, std::uint64_t backlog, std::uint64_t indexed, bool caught_up) {
    auto started = now;
    now += took;
    return log.after_round(started, backlog, indexed, caught_up);
  };
  CHECK(round(seconds(1), 1200, 1200, true).empty());  // a few new alerts: nothing to say

  auto lines = round(seconds(4), 20000, 5000, false);  // a bulk import arrived
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "indexing 20000 entries for search and listings");
  CHECK(lines[1] == "indexed 5000 of 20000, 1250/s, about 0:12 left");  // at once: a first rate

  CHECK(round(seconds(5), 15000, 5000, false).empty());  // within the interval
  lines = round(seconds(5), 14000, 5000, false);  // more arrived meanwhile: 4,000 more in all
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "indexed 15000 of 24000, 1000/s, about 0:09 left");

  lines = round(seconds(9), 9000, 9000, true);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "search and listings are up to date: indexed 24000 entries in 23 s, 1043/s");

  CHECK(round(seconds(1), 10, 10, true).empty());  // quiet again until the next bulk
  lines = round(seconds(1), 6000, 5000, false);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "indexing 6000 entries for search and listings");
}
