// What `ifexnode doctor` learns of a node at HOST:PORT: whether it answers HTTP there (a plain
// GET /healthz over TCP, bounded in time and bytes), its status code and its clock (the Date
// header). Blocking POSIX sockets with deadlines: a diagnosis, not the node's own networking.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace ifex::cli {

struct ProbeResult {
  bool reached = false;             // a TCP connection was made
  std::string error;                // why not, or why the answer was unreadable
  int http_status = 0;              // 0 when no HTTP status line came back
  std::optional<std::int64_t> date_unix_s;  // the answer's Date header, when it had one
  std::chrono::milliseconds took{0};
};

ProbeResult probe_http(const std::string& host, std::uint16_t port,
                       std::chrono::milliseconds timeout);

// Whether HOST:PORT can be bound now (false with the reason when another process holds it).
bool can_bind(const std::string& host, std::uint16_t port, std::string& why);

// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110's IMF-fixdate) as Unix seconds.
std::optional<std::int64_t> parse_http_date(const std::string& text);

}  // namespace ifex::cli
