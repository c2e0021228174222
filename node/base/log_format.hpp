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

// "2026-12-07T14:50:57.123Z info  MESSAGE\n" (the format of every earlier version). The message
// stays on its line: \\, \n, \r, \t, \xNN for other control characters and invalid UTF-8
// bytes, \u00NN for the C1 controls.
std::string format_text_line(const LogRecord& r);
// {"time":"2026-12-07T14:50:57.123Z","level":"info","subsystem":"net","event":"...",
//  "message":"...","fields":{"name":"value",...}}\n: valid JSON and UTF-8 whatever the bytes,
// control characters escaped, an invalid UTF-8 byte written as \ufffd.
std::string format_json_line(const LogRecord& r);
// journald's native protocol: MESSAGE, PRIORITY (syslog: error 3, warn 4, info 6, debug 7),
// SYSLOG_IDENTIFIER=ifexnode, IFEX_SUBSYSTEM, IFEX_EVENT and IFEX_<NAME> per field. A value with
// a line break uses the protocol's length-prefixed form. A field whose name is already taken
// (one of the names above, or an earlier field's) is sent as IFEX_<NAME>_2, _3, ...
std::string format_journal_datagram(const LogRecord& r);

// A field's journald name: IFEX_ and the name in upper case, every byte other than a letter or a
// digit made an underscore, cut at journald's limit of 64 characters.
std::string journal_field_name(std::string_view name);

}  // namespace ifex
