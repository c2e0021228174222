#include "node/base/log.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "node/base/log_format.hpp"

namespace ifex {

namespace {

constexpr std::array<std::string_view, 4> level_names = {"debug", "info", "warn", "error"};
constexpr std::array<std::string_view, log_area_count> area_names = {"node",    "net",  "gossip",
                                                                     "publish", "http", "index"};

constexpr int info_level = static_cast<int>(LogLevel::info);
std::array<std::atomic<int>, log_area_count> min_levels{info_level, info_level, info_level,
                                                        info_level, info_level, info_level};
std::atomic<int> format{static_cast<int>(LogFormat::text)};
std::mutex write_mutex;  // one line at a time on stderr; guards journal_fd too
int journal_fd = -1;     // a connected datagram socket to journald, or -1

void write_stderr(const std::string& bytes) { std::fwrite(bytes.data(), 1, bytes.size(), stderr); }

// Connects journal_fd to `path`; false (and journal_fd -1) when journald is not there.
bool open_journal(const std::string& path) {
  if (journal_fd >= 0) ::close(journal_fd);
  journal_fd = -1;
  sockaddr_un addr{};
  if (path.empty() || path.size() >= sizeof addr.sun_path) return false;
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return false;
  }
  journal_fd = fd;
  return true;
}

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
    std::lock_guard lock(write_mutex);
    if (settings.format == LogFormat::journald && !open_journal(settings.journal_socket))
      journal_failed = true;
    format = static_cast<int>(journal_failed ? LogFormat::text : settings.format);
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
  auto chosen = static_cast<LogFormat>(format.load());
  std::string bytes = chosen == LogFormat::json       ? format_json_line(record)
                      : chosen == LogFormat::journald ? format_journal_datagram(record)
                                                      : format_text_line(record);
  std::lock_guard lock(write_mutex);
  if (chosen == LogFormat::journald && journal_fd >= 0) {
    if (::send(journal_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) >= 0) return;
    // journald gone or the record too large for a datagram: the event still reaches stderr.
    write_stderr(format_text_line(record));
    return;
  }
  write_stderr(bytes);
}

}  // namespace ifex
