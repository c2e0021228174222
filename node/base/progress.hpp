// Progress of a long command (import-archive, reindex, ...) on stderr. On a terminal: one line
// redrawn in place, a bar with the count, the rate and the time left. Elsewhere (a log file, a
// pipe, systemd): a plain line every few seconds, never a carriage return, so logs stay readable.
//
//   Progress progress = Progress::on_stderr("importing", "alerts", total_lines);
//   for (...) progress.add(n);
//   progress.finish();
//
// Not thread-safe: call it from one thread (the one doing the work, or one that owns it).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

namespace ifex {

class Progress {
 public:
  enum class Style {
    bar,    // redrawn in place with \r: for a terminal
    lines,  // a new line every `line_interval`: for logs and pipes
    none,   // silent
  };
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  struct Options {
    std::string label = "progress";      // what is being done: "importing"
    std::string unit = "items";          // what is counted: "alerts"
    std::optional<std::uint64_t> total;  // unknown: no bar, no percentage, no ETA
    Style style = Style::lines;
    std::chrono::milliseconds line_interval{2000};
    std::chrono::milliseconds redraw_interval{100};  // at most this often for the bar
    // The rate shown while working, and the ETA, are over about this much recent time, so a
    // slowdown (a running node indexing, a disk busy with other writers) shows at once.
    std::chrono::milliseconds rate_window{10000};
    Clock clock;                                     // default: steady_clock::now
  };

  // Writes to `out`, which must outlive this object.
  Progress(std::ostream& out, Options options);
  // To std::cerr: Style::bar when stderr is a terminal, Style::lines otherwise.
  static Progress on_stderr(std::string label, std::string unit,
                            std::optional<std::uint64_t> total = std::nullopt);
  // Movable (e.g. into a std::optional); the moved-from object is left finished and silent.
  Progress(Progress&& other) noexcept;
  Progress& operator=(Progress&& other) noexcept;
  // Ends a bar's line if finish() was not called (an error stopped the work).
  ~Progress();

  void set_total(std::uint64_t total);
  // `n` more units done; may print.
  void add(std::uint64_t n);
  // Prints the final state ("12000 alerts in 3.2 s, 3750/s"). Later calls do nothing.
  void finish();

  std::uint64_t done() const { return done_; }

 private:
  std::chrono::steady_clock::time_point now() const;
  std::string status_text(std::chrono::steady_clock::time_point at, bool final) const;
  void draw(std::chrono::steady_clock::time_point at, bool final);
  void end_bar_line();
  void record_sample(std::chrono::steady_clock::time_point at);
  double recent_rate(std::chrono::steady_clock::time_point at) const;

  struct Sample {
    std::chrono::steady_clock::time_point at;
    std::uint64_t done;
  };

  std::ostream* out_;
  Options options_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
  std::uint64_t done_ = 0;
  // Oldest first; the front is the newest sample at least rate_window old (or the start).
  std::deque<Sample> samples_;
  std::size_t drawn_width_ = 0;  // length of the bar line on screen, to blank what is left
  bool finished_ = false;
};

}  // namespace ifex
