// What the running node's indexing thread says in the log about a large backlog (a bulk import,
// a catch-up, a rebuilt catalog): a start line, a line after the first round (the first rate
// measured, so the operator has an estimate at once), then one every `interval` with the recent
// rate and the time left, and an end line. Small backlogs stay quiet.
//
// Pure: no I/O, the clock is handed in. Not thread-safe: the indexing thread owns it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ifex {

class IndexProgressLog {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // Backlogs above `threshold` entries are reported. Default clock: steady_clock::now.
  IndexProgressLog(std::uint64_t threshold, std::chrono::milliseconds interval, Clock clock = {});

  // After one round, which began at `round_started` with `backlog` entries waiting: it indexed
  // `indexed` of them, and `caught_up` when nothing is left. Returns the lines to log (often
  // none).
  std::vector<std::string> after_round(std::chrono::steady_clock::time_point round_started,
                                       std::uint64_t backlog, std::uint64_t indexed,
                                       bool caught_up);

 private:
  std::uint64_t threshold_;
  std::chrono::milliseconds interval_;
  Clock clock_;
  bool active_ = false;
  bool first_line_pending_ = false;
  std::chrono::steady_clock::time_point started_, last_line_at_;
  std::uint64_t done_ = 0, done_at_last_line_ = 0;
};

}  // namespace ifex
