// What `ifexnode doctor` learns of a node at HOST:PORT: whether it answers HTTP there (a plain
// GET /healthz over TCP, bounded in time and bytes), its status code and its clock (the Date
// header). Non-blocking POSIX sockets polled against one deadline per probe, which also bounds
// the name lookup (getaddrinfo_a): a diagnosis, not the node's own networking.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ifex::cli {

struct ProbeResult {
  bool reached = false;             // a TCP connection was made
  std::string error;                // why not, or why the answer was unreadable
  int http_status = 0;              // 0 when no HTTP status line came back
  std::optional<std::int64_t> date_unix_s;  // the answer's Date header, when it had one
  // That Date minus this host's clock at the middle of the exchange (positive: theirs ahead).
  std::optional<std::int64_t> skew_s;
  std::chrono::milliseconds took{0};
};

ProbeResult probe_http(const std::string& host, std::uint16_t port,
                       std::chrono::milliseconds timeout);

// Probes every target at once, at most `max_parallel_probes` at a time, each for at most
// `each`, and none past `all_by`: a probe not started by then fails at once, one still running
// is cut short. So the whole takes at most about min(all_by - now, ceil(n / 32) * each).
struct ProbeTarget {
  std::string host;
  std::uint16_t port = 0;
};
inline constexpr std::size_t max_parallel_probes = 32;
std::vector<ProbeResult> probe_all(const std::vector<ProbeTarget>& targets,
                                   std::chrono::milliseconds each,
                                   std::chrono::steady_clock::time_point all_by);

// The addresses HOST resolves to (numeric ones, for a message), looked up for at most
// `timeout`; empty with the reason in `why` when it does not resolve in time.
std::vector<std::string> resolve_host(const std::string& host, std::chrono::milliseconds timeout,
                                      std::string& why);

// Whether HOST:PORT can be bound now (false with the reason when another process holds it).
// HOST may be a name: it is resolved (within `timeout`) and its first address tried.
bool can_bind(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout,
              std::string& why);

// Whether HOST is an IPv4 or IPv6 address rather than a name.
bool is_ip_address(const std::string& host);

// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110's IMF-fixdate) as Unix seconds.
std::optional<std::int64_t> parse_http_date(const std::string& text);

}  // namespace ifex::cli
