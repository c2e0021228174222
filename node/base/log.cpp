#include "node/base/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace ifex {

namespace {
std::atomic<int> min_level{static_cast<int>(LogLevel::info)};
std::mutex write_mutex;
constexpr const char* level_names[] = {"debug", "info", "warn", "error"};
}  // namespace

void set_log_level(LogLevel level) { min_level = static_cast<int>(level); }

bool parse_log_level(std::string_view name, LogLevel& out) {
  for (int i = 0; i < 4; ++i)
    if (name == level_names[i]) {
      out = static_cast<LogLevel>(i);
      return true;
    }
  return false;
}

void log_line(LogLevel level, const std::string& message) {
  if (static_cast<int>(level) < min_level) return;
  using namespace std::chrono;
  auto now = system_clock::now();
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::time_t t = system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::lock_guard lock(write_mutex);
  std::fprintf(stderr, "%s.%03dZ %-5s %s\n", stamp, static_cast<int>(ms),
               level_names[static_cast<int>(level)], message.c_str());
}

}  // namespace ifex
