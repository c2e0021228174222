// A log line for events that can come thousands of times a second (refused connections, failed
// handshakes): the first one of a burst is logged at once, the rest are counted and summarised
// at most once per interval, so an attacker cannot fill the disk through the log. The summary
// goes out with the first event after the interval; the exact totals are in the counters.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "node/base/log.hpp"

namespace ifex {

class ThrottledLog {
 public:
  using Clock = std::chrono::steady_clock;
  ThrottledLog(LogArea area, std::string_view event, std::string what,
               Clock::duration interval = std::chrono::seconds(10))
      : area_(area), event_(event), what_(std::move(what)), interval_(interval) {}

  // One event, with its cause; logs now or folds it into the next summary.
  void note(const std::string& cause, Clock::time_point now = Clock::now()) {
    std::lock_guard lock(mutex_);
    if (now >= next_line_) {
      flush();
      log_event(LogLevel::warn, area_, event_, what_ + ": " + cause, {{"cause", cause}});
      next_line_ = now + interval_;
      return;
    }
    ++pending_[cause];
  }

 private:
  void flush() {
    if (pending_.empty()) return;
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(interval_).count();
    std::string line = what_ + " (more in the last " + std::to_string(seconds) + " s):";
    for (const auto& [cause, n] : pending_) line += " " + std::to_string(n) + " x " + cause + ";";
    line.pop_back();
    log_event(LogLevel::warn, area_, event_, line, {{"summary_of_s", std::to_string(seconds)}});
    pending_.clear();
  }

  std::mutex mutex_;
  LogArea area_;
  std::string_view event_;
  std::string what_;
  Clock::duration interval_;
  Clock::time_point next_line_{};
  std::map<std::string, std::uint64_t> pending_;
};

}  // namespace ifex
