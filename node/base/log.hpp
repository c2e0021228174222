// The node's log: one line per event on stderr, with a UTC timestamp and a level. Messages never
// hold secrets; values from the network are escaped before they get here (protocol/ errors do).
#pragma once

#include <string>
#include <string_view>

namespace ifex {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };

void set_log_level(LogLevel level);
bool parse_log_level(std::string_view name, LogLevel& out);
void log_line(LogLevel level, const std::string& message);
inline void log_debug(const std::string& m) { log_line(LogLevel::debug, m); }
inline void log_info(const std::string& m) { log_line(LogLevel::info, m); }
inline void log_warn(const std::string& m) { log_line(LogLevel::warn, m); }
inline void log_error(const std::string& m) { log_line(LogLevel::error, m); }

}  // namespace ifex
