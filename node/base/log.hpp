// The node's log: one event per line on stderr (text or JSON), or one record per event to
// journald. Each event has a level, the subsystem it comes from, a stable event name that tools
// can match on, a message for people and named fields. Messages and fields never hold secrets;
// values from the network are escaped before they get here (protocol/ errors do), and the JSON
// and journald writers escape again for their own syntax.
//
//   log_event(LogLevel::info, LogArea::gossip, "peer_connected", "connected to " + fp,
//             {{"peer", fp}, {"direction", "outbound"}});
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace ifex {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };

// Where an event comes from; each has its own minimum level ([log] levels).
enum class LogArea : std::uint8_t {
  node,     // start, stop, signals, the data directory
  net,      // the listener, dialing, WebSocket sessions and the handshake
  gossip,   // links, replication, entries received and refused, forks
  publish,  // the publishing hold after a restore
  http,     // the API, feeds and the web page
  index,    // the catalog and the search index
};
inline constexpr std::size_t log_area_count = 6;

enum class LogFormat { text, json, journald };

// One named value of an event. Names are lower_snake_case ASCII.
struct LogField {
  std::string_view name;
  std::string value;
};
using LogFields = std::initializer_list<LogField>;

struct LogSettings {
  LogFormat format = LogFormat::text;
  std::array<LogLevel, log_area_count> levels{LogLevel::info, LogLevel::info, LogLevel::info,
                                              LogLevel::info, LogLevel::info, LogLevel::info};
  std::string journal_socket = "/run/systemd/journal/socket";
};

std::string_view log_level_name(LogLevel level);
std::string_view log_area_name(LogArea area);
bool parse_log_level(std::string_view name, LogLevel& out);
bool parse_log_area(std::string_view name, LogArea& out);
bool parse_log_format(std::string_view name, LogFormat& out);

// `spec` is "AREA=LEVEL,AREA=LEVEL" (e.g. "net=debug,index=warn"); sets those areas in `levels`.
// On a bad spec, returns what is wrong and changes nothing.
std::optional<std::string> apply_area_levels(std::string_view spec,
                                             std::array<LogLevel, log_area_count>& levels);

// True when systemd connected our stderr to the journal ($JOURNAL_STREAM names stderr's device
// and inode): then journald is the better format, since it keeps the fields.
bool stderr_is_journal();

// Replaces the settings for every later event. Thread-safe, also while other threads log (a
// SIGHUP reload): an event sees the old or the new format and journal, never a mix. A journald
// socket that cannot be opened falls back to text on stderr (and says so).
void configure_log(const LogSettings& settings);
void set_log_level(LogLevel level);  // every area
bool log_enabled(LogLevel level, LogArea area);

void log_event(LogLevel level, LogArea area, std::string_view event, const std::string& message,
               LogFields fields = {});

}  // namespace ifex
