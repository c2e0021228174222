#include "node/base/log.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "node/base/journal_socket.hpp"
#include "node/base/log_format.hpp"
#include "node/base/thread_annotations.hpp"

namespace ifex {

namespace {

constexpr std::array<std::string_view, 4> level_names = {"debug", "info", "warn", "error"};
constexpr std::array<std::string_view, log_area_count> area_names = {"node",    "net",  "gossip",
                                                                     "publish", "http", "index"};

constexpr int info_level = static_cast<int>(LogLevel::info);
// Read by every event before anything else, without the lock: atomics, so a reload that changes
// them while other threads log is no data race.
std::array<std::atomic<int>, log_area_count> min_levels{info_level, info_level, info_level,
                                                        info_level, info_level, info_level};

// Where events go. The format and the journal change together (a reload) and are read together
// (an event), so both live under one mutex: an event formatted for journald must never be
// written to stderr, nor sent on a socket being closed.
struct Sink {
  Mutex mutex;  // also keeps lines whole on stderr
  LogFormat format GUARDED_BY(mutex) = LogFormat::text;
  JournalSocket journal GUARDED_BY(mutex);
};
Sink sink;

void write_stderr(const std::string& bytes) { std::fwrite(bytes.data(), 1, bytes.size(), stderr); }

}  // namespace

std::string_view log_level_name(LogLevel level) { return level_names[static_cast<int>(level)]; }
std::string_view log_area_name(LogArea area) { return area_names[static_cast<int>(area)]; }

bool parse_log_level(std::string_view name, LogLevel& out) {
  for (std::size_t i = 0; i < level_names.size(); ++i)
    if (name == level_names[i]) {
      out = static_cast<LogLevel>(i);
      return true;
    }
  return false;
}

bool parse_log_area(std::string_view name, LogArea& out) {
  for (std::size_t i = 0; i < area_names.size(); ++i)
    if (name == area_names[i]) {
      out = static_cast<LogArea>(i);
      return true;
    }
  return false;
}

bool parse_log_format(std::string_view name, LogFormat& out) {
  if (name == "text") out = LogFormat::text;
  else if (name == "json") out = LogFormat::json;
  else if (name == "journald") out = LogFormat::journald;
  else return false;
  return true;
}

std::optional<std::string> apply_area_levels(std::string_view spec,
                                             std::array<LogLevel, log_area_count>& levels) {
  auto result = levels;
  while (!spec.empty()) {
    auto comma = spec.find(',');
    auto item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
    auto eq = item.find('=');
    if (eq == std::string_view::npos)
      return "\"" + std::string(item) + "\" is not AREA=LEVEL";
    LogArea area;
    LogLevel level;
    if (!parse_log_area(item.substr(0, eq), area))
      return "unknown area \"" + std::string(item.substr(0, eq)) +
             "\" (node, net, gossip, publish, http or index)";
    if (!parse_log_level(item.substr(eq + 1), level))
      return "unknown level \"" + std::string(item.substr(eq + 1)) +
             "\" (debug, info, warn or error)";
    result[static_cast<int>(area)] = level;
  }
  levels = result;
  return std::nullopt;
}

bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (!stream) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st{};
  if (::fstat(STDERR_FILENO, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev &&
         static_cast<unsigned long long>(st.st_ino) == ino;
}

void configure_log(const LogSettings& settings) {
  for (std::size_t i = 0; i < log_area_count; ++i)
    min_levels[i] = static_cast<int>(settings.levels[i]);
  bool journal_failed = false;
  {
    MutexLock lock(sink.mutex);
    if (settings.format == LogFormat::journald)
      journal_failed = !sink.journal.open(settings.journal_socket);
    else
      sink.journal.close();
    sink.format = journal_failed ? LogFormat::text : settings.format;
  }
  if (journal_failed)
    log_event(LogLevel::warn, LogArea::node, "journal_unavailable",
              "cannot reach journald at " + settings.journal_socket + ": logging text on stderr",
              {{"socket", settings.journal_socket}});
}

void set_log_level(LogLevel level) {
  for (auto& l : min_levels) l = static_cast<int>(level);
}

bool log_enabled(LogLevel level, LogArea area) {
  return static_cast<int>(level) >= min_levels[static_cast<int>(area)];
}

void log_event(LogLevel level, LogArea area, std::string_view event, const std::string& message,
               LogFields fields) {
  if (!log_enabled(level, area)) return;
  using namespace std::chrono;
  LogRecord record{
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count(), level, area,
      event, message, fields};
  MutexLock lock(sink.mutex);
  switch (sink.format) {
    case LogFormat::json: return write_stderr(format_json_line(record));
    case LogFormat::text: return write_stderr(format_text_line(record));
    case LogFormat::journald:
      // The send never waits; when journald is gone or its queue full, stderr gets the event
      // (which systemd also sends to the journal, without the fields).
      if (!sink.journal.send(format_journal_datagram(record)))
        write_stderr(format_text_line(record));
      return;
  }
}

}  // namespace ifex
