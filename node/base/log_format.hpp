// How one log event is written: a text line, a JSON line, or a journald native-protocol
// datagram. Pure functions (no clock, no I/O) so the exact bytes can be tested.
#pragma once

#include <cstdint>
#include <string>

#include "node/base/log.hpp"

namespace ifex {

struct LogRecord {
  std::int64_t unix_ms;  // wall-clock time of the event
  LogLevel level;
  LogArea area;
  std::string_view event;
  const std::string& message;
  LogFields fields;
};

// "2026-12-07T14:50:57.123Z info  MESSAGE\n" (the format of every earlier version).
std::string format_text_line(const LogRecord& r);
// {"time":"2026-12-07T14:50:57.123Z","level":"info","subsystem":"net","event":"...",
//  "message":"...","fields":{"name":"value",...}}\n, control characters escaped.
std::string format_json_line(const LogRecord& r);
// journald's native protocol: MESSAGE, PRIORITY (syslog: error 3, warn 4, info 6, debug 7),
// SYSLOG_IDENTIFIER=ifexnode, IFEX_SUBSYSTEM, IFEX_EVENT and IFEX_<NAME> per field. A value with
// a line break uses the protocol's length-prefixed form.
std::string format_journal_datagram(const LogRecord& r);

}  // namespace ifex
