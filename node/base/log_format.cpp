#include "node/base/log_format.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <vector>

#include "protocol/utf8.hpp"

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

// C0 controls, DEL and the C1 controls (U+0080..U+009F, which some terminals obey as escapes).
bool is_control(char32_t cp) { return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f); }

void append_hex_escape(std::string& out, const char* pattern, unsigned value) {
  char buf[8];
  std::snprintf(buf, sizeof buf, pattern, value);
  out += buf;
}

// A JSON string of `s`: always valid JSON and valid UTF-8, since an invalid byte becomes U+FFFD
// (values can hold what a peer sent) and every control character is escaped.
void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const Utf8Step step = decode_utf8_at(s, i);
    const char32_t cp = step.code_point;
    if (!step.valid) out += "\\ufffd";
    else if (cp == '"') out += "\\\"";
    else if (cp == '\\') out += "\\\\";
    else if (cp == '\n') out += "\\n";
    else if (cp == '\r') out += "\\r";
    else if (cp == '\t') out += "\\t";
    else if (is_control(cp)) append_hex_escape(out, "\\u%04x", static_cast<unsigned>(cp));
    else out.append(s, i, step.length);
    i += step.length;
  }
  out += '"';
}

// `s` on one text line: a line break (or any control character) from a peer must not start a
// line of its own that reads like an event, nor reach a terminal raw. Backslashes are doubled so
// an escape in the output always means an escaped byte; an invalid byte is shown as \xNN.
void append_text(std::string& out, std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const Utf8Step step = decode_utf8_at(s, i);
    const char32_t cp = step.code_point;
    if (!step.valid) append_hex_escape(out, "\\x%02x", static_cast<unsigned char>(s[i]));
    else if (cp == '\\') out += "\\\\";
    else if (cp == '\n') out += "\\n";
    else if (cp == '\r') out += "\\r";
    else if (cp == '\t') out += "\\t";
    else if (cp < 0x80 && is_control(cp)) append_hex_escape(out, "\\x%02x", static_cast<unsigned>(cp));
    else if (is_control(cp)) append_hex_escape(out, "\\u%04x", static_cast<unsigned>(cp));
    else out.append(s, i, step.length);
    i += step.length;
  }
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

constexpr std::size_t journal_name_max = 64;  // journald drops a field with a longer name

// Names the record itself sets: a field of the event must never replace one of them.
constexpr std::array<std::string_view, 5> journal_reserved = {
    "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "IFEX_SUBSYSTEM", "IFEX_EVENT"};

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

// `name`, or name_2, name_3, ... (shortened to stay within 64 characters) when taken.
std::string unique_journal_name(const std::string& name, const std::vector<std::string>& used) {
  auto taken = [&](const std::string& n) {
    return std::find(used.begin(), used.end(), n) != used.end();
  };
  if (!taken(name)) return name;
  for (std::size_t k = 2;; ++k) {
    const std::string suffix = "_" + std::to_string(k);
    std::string candidate = name.substr(0, journal_name_max - suffix.size()) + suffix;
    if (!taken(candidate)) return candidate;  // ends: `used` is finite
  }
}

}  // namespace

std::string journal_field_name(std::string_view name) {
  std::string out = "IFEX_";
  for (char c : name) {
    if (out.size() == journal_name_max) break;
    if (c >= 'a' && c <= 'z') out += static_cast<char>(c - 'a' + 'A');
    else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) out += c;
    else out += '_';
  }
  return out;
}

std::string format_text_line(const LogRecord& r) {
  std::string level(log_level_name(r.level));
  level.resize(5, ' ');
  std::string out = utc_stamp(r.unix_ms) + " " + level + " ";
  append_text(out, r.message);
  out += '\n';
  return out;
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
  std::vector<std::string> used(journal_reserved.begin(), journal_reserved.end());
  for (const auto& f : r.fields) {
    std::string name = unique_journal_name(journal_field_name(f.name), used);
    append_journal_field(out, name, f.value);
    used.push_back(std::move(name));
  }
  return out;
}

}  // namespace ifex
