#include "node/base/log_format.hpp"

#include <cstdio>
#include <ctime>

namespace ifex {

namespace {

std::string utc_stamp(std::int64_t unix_ms) {
  std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[40];
  std::size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(stamp + n, sizeof stamp - n, ".%03dZ", static_cast<int>(unix_ms % 1000));
  return stamp;
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char u[8];
          std::snprintf(u, sizeof u, "\\u%04x", c);
          out += u;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

int syslog_priority(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return 7;
    case LogLevel::info: return 6;
    case LogLevel::warn: return 4;
    case LogLevel::error: return 3;
  }
  return 6;
}

// journald field names: upper-case letters, digits and underscores, not starting with one.
std::string journal_name(std::string_view name) {
  std::string out = "IFEX_";
  for (char c : name) {
    if (c >= 'a' && c <= 'z') out += static_cast<char>(c - 'a' + 'A');
    else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) out += c;
    else out += '_';
  }
  return out;
}

void append_journal_field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  if (value.find('\n') == std::string_view::npos) {
    out += '=';
    out += value;
    out += '\n';
    return;
  }
  // NAME\n, then the value's length as a little-endian u64, the value, \n.
  out += '\n';
  std::uint64_t n = value.size();
  for (int i = 0; i < 8; ++i) out += static_cast<char>((n >> (8 * i)) & 0xff);
  out += value;
  out += '\n';
}

}  // namespace

std::string format_text_line(const LogRecord& r) {
  std::string level(log_level_name(r.level));
  level.resize(5, ' ');
  return utc_stamp(r.unix_ms) + " " + level + " " + r.message + "\n";
}

std::string format_json_line(const LogRecord& r) {
  std::string out = "{\"time\":";
  append_json_string(out, utc_stamp(r.unix_ms));
  out += ",\"level\":";
  append_json_string(out, log_level_name(r.level));
  out += ",\"subsystem\":";
  append_json_string(out, log_area_name(r.area));
  out += ",\"event\":";
  append_json_string(out, r.event);
  out += ",\"message\":";
  append_json_string(out, r.message);
  out += ",\"fields\":{";
  bool first = true;
  for (const auto& f : r.fields) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, f.name);
    out += ':';
    append_json_string(out, f.value);
  }
  out += "}}\n";
  return out;
}

std::string format_journal_datagram(const LogRecord& r) {
  std::string out;
  append_journal_field(out, "MESSAGE", r.message);
  append_journal_field(out, "PRIORITY", std::to_string(syslog_priority(r.level)));
  append_journal_field(out, "SYSLOG_IDENTIFIER", "ifexnode");
  append_journal_field(out, "IFEX_SUBSYSTEM", log_area_name(r.area));
  append_journal_field(out, "IFEX_EVENT", r.event);
  for (const auto& f : r.fields) append_journal_field(out, journal_name(f.name), f.value);
  return out;
}

}  // namespace ifex
