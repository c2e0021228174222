#include "node/archive/index_progress.hpp"

#include <cstdio>

namespace ifex {

namespace {

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

std::string rate_text(double per_second) {
  return std::to_string(static_cast<std::uint64_t>(per_second)) + "/s";
}

// "0:42", "12:05", "3:07:41".
std::string clock_text(double s) {
  auto total = static_cast<unsigned long long>(s + 0.5);
  char text[32];
  if (total >= 3600)
    (void)std::snprintf(text, sizeof text, "%llu:%02llu:%02llu", total / 3600, total / 60 % 60,
                        total % 60);
  else
    (void)std::snprintf(text, sizeof text, "%llu:%02llu", total / 60, total % 60);
  return text;
}

}  // namespace

IndexProgressLog::IndexProgressLog(std::uint64_t threshold, std::chrono::milliseconds interval,
                                   Clock clock)
    : threshold_(threshold), interval_(interval), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::steady_clock::now(); };
}

std::vector<std::string> IndexProgressLog::after_round(
    std::chrono::steady_clock::time_point round_started, std::uint64_t backlog,
    std::uint64_t indexed, bool caught_up) {
  std::vector<std::string> lines;
  const auto now = clock_();
  if (!active_) {
    if (backlog <= threshold_) return lines;
    active_ = true;
    first_line_pending_ = true;
    started_ = last_line_at_ = round_started;
    done_ = done_at_last_line_ = 0;
    lines.push_back("indexing " + std::to_string(backlog) + " entries for search and listings");
  }
  done_ += indexed;
  if (caught_up) {
    const double took = seconds(now - started_);
    lines.push_back("search and listings are up to date: indexed " + std::to_string(done_) +
                    " entries in " + std::to_string(static_cast<std::uint64_t>(took + 0.5)) + " s" +
                    (took > 0 ? ", " + rate_text(static_cast<double>(done_) / took) : ""));
    active_ = false;
    return lines;
  }
  if (!first_line_pending_ && now - last_line_at_ < interval_) return lines;
  // The rate since the last line: what the disk and CPU give now, not at the start.
  const double span = seconds(now - last_line_at_);
  const double rate = span > 0 ? static_cast<double>(done_ - done_at_last_line_) / span : 0.0;
  const std::uint64_t left = backlog > indexed ? backlog - indexed : 0;
  std::string line = "indexed " + std::to_string(done_) + " of " + std::to_string(done_ + left) +
                     ", " + rate_text(rate);
  if (rate > 0) line += ", about " + clock_text(static_cast<double>(left) / rate) + " left";
  lines.push_back(std::move(line));
  first_line_pending_ = false;
  last_line_at_ = now;
  done_at_last_line_ = done_;
  return lines;
}

}  // namespace ifex
