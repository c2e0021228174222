#include "node/base/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace ifex {

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t bar_width = 30;

double seconds_between(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// "0:42", "12:05", "3:07:41".
std::string clock_text(double seconds) {
  auto total = static_cast<std::uint64_t>(seconds + 0.5);
  char text[32];
  if (total >= 3600)
    (void)std::snprintf(text, sizeof text, "%llu:%02llu:%02llu",
                        static_cast<unsigned long long>(total / 3600),
                        static_cast<unsigned long long>(total / 60 % 60),
                        static_cast<unsigned long long>(total % 60));
  else
    (void)std::snprintf(text, sizeof text, "%llu:%02llu",
                        static_cast<unsigned long long>(total / 60),
                        static_cast<unsigned long long>(total % 60));
  return text;
}

std::string fixed1(double value) {
  char text[32];
  (void)std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

}  // namespace

Progress::Progress(std::ostream& out, Options options) : out_(&out), options_(std::move(options)) {
  if (!options_.clock) options_.clock = [] { return SteadyClock::now(); };
  start_ = last_print_ = now();
  samples_.push_back({start_, 0});
}

Progress Progress::on_stderr(std::string label, std::string unit,
                             std::optional<std::uint64_t> total) {
  Options options;
  options.label = std::move(label);
  options.unit = std::move(unit);
  options.total = total;
  options.style = ::isatty(STDERR_FILENO) ? Style::bar : Style::lines;
  return Progress(std::cerr, std::move(options));
}

Progress::Progress(Progress&& other) noexcept
    : out_(other.out_),
      options_(std::move(other.options_)),
      start_(other.start_),
      last_print_(other.last_print_),
      done_(other.done_),
      samples_(std::move(other.samples_)),
      drawn_width_(other.drawn_width_),
      finished_(other.finished_) {
  other.finished_ = true;
}

Progress& Progress::operator=(Progress&& other) noexcept {
  if (this != &other) {
    end_bar_line();
    out_ = other.out_;
    options_ = std::move(other.options_);
    start_ = other.start_;
    last_print_ = other.last_print_;
    done_ = other.done_;
    samples_ = std::move(other.samples_);
    drawn_width_ = other.drawn_width_;
    finished_ = other.finished_;
    other.finished_ = true;
  }
  return *this;
}

Progress::~Progress() {
  end_bar_line();
}

void Progress::end_bar_line() {
  if (!finished_ && options_.style == Style::bar && drawn_width_ > 0) *out_ << "\n" << std::flush;
}

SteadyClock::time_point Progress::now() const {
  return options_.clock();
}

void Progress::set_total(std::uint64_t total) {
  options_.total = total;
}

void Progress::add(std::uint64_t n) {
  done_ += n;
  if (finished_ || options_.style == Style::none) return;
  const SteadyClock::time_point at = now();
  record_sample(at);
  const auto interval =
      options_.style == Style::bar ? options_.redraw_interval : options_.line_interval;
  if (at - last_print_ < interval) return;
  draw(at, false);
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (options_.style != Style::none) draw(now(), true);
}

void Progress::record_sample(SteadyClock::time_point at) {
  // A sample every twentieth of the window is enough, and keeps the queue at ~21 samples
  // however often add() is called.
  if (samples_.empty() || at - samples_.back().at >= options_.rate_window / 20)
    samples_.push_back({at, done_});
  while (samples_.size() > 1 && at - samples_[1].at >= options_.rate_window) samples_.pop_front();
}

double Progress::recent_rate(SteadyClock::time_point at) const {
  const Sample from = samples_.empty() ? Sample{start_, 0} : samples_.front();
  const double span = seconds_between(from.at, at);
  return span > 0 ? static_cast<double>(done_ - from.done) / span : 0.0;
}

std::string Progress::status_text(SteadyClock::time_point at, bool final) const {
  const double elapsed = seconds_between(start_, at);
  // The final line gives the average; while working, the recent rate predicts better.
  const double rate =
      final ? (elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0) : recent_rate(at);
  std::string text = std::to_string(done_);
  const std::optional<std::uint64_t>& total = options_.total;
  if (total && !final) text += "/" + std::to_string(*total);
  text += " " + options_.unit;
  if (total && *total > 0 && !final)
    text += " (" + std::to_string(std::min<std::uint64_t>(done_ * 100 / *total, 100)) + "%)";
  if (final) text += " in " + fixed1(elapsed) + " s";
  text += ", " + std::to_string(static_cast<std::uint64_t>(rate)) + "/s";
  if (total && !final && rate > 0 && done_ < *total)
    text += ", ETA " + clock_text(static_cast<double>(*total - done_) / rate);
  return text;
}

void Progress::draw(SteadyClock::time_point at, bool final) {
  last_print_ = at;
  std::string line = options_.label + ": ";
  if (options_.style == Style::lines) {
    *out_ << line << status_text(at, final) << "\n" << std::flush;
    return;
  }
  const std::optional<std::uint64_t>& total = options_.total;
  if (total && *total > 0 && !final) {
    const auto filled =
        static_cast<std::size_t>(std::min<std::uint64_t>(done_, *total) * bar_width / *total);
    line += "[" + std::string(filled, '#') + std::string(bar_width - filled, '.') + "] ";
  }
  line += status_text(at, final);
  const std::size_t width = line.size();
  if (width < drawn_width_) line += std::string(drawn_width_ - width, ' ');
  drawn_width_ = width;
  *out_ << "\r" << line << (final ? "\n" : "") << std::flush;
}

}  // namespace ifex
