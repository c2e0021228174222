// Why connections between nodes fail, as causes an operator can act on (docs/operations.md,
// "When peers do not connect"), and a limiter that keeps one warning per cause and peer a
// minute. Pure: no Asio, no clock of its own (time is handed in).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "node/base/thread_annotations.hpp"

namespace ifex {

enum class ConnectionProblem : std::size_t {
  network_key,         // the other side has a different network key
  not_welcome,         // an authenticated node that is neither a peer nor on the roster
  duplicate_identity,  // one identity connected twice: two nodes run with one key
  wrong_peer_key,      // the node at a peer's URL is not the key we were given for it
  timeout,             // the handshake did not finish in time
  other,
};
inline constexpr std::size_t connection_problem_count = 6;

// The slug used in /api/status and as the `cause` label in /metrics.
std::string_view problem_name(ConnectionProblem problem);

// Lets the first report of each (cause, subject) through, then stays quiet about it for
// `interval_ms`, counting what it held back; the next report after that carries the count.
// At most `max_subjects` pairs are remembered (the oldest is forgotten first), so peers that
// change address cannot grow it. Thread-safe.
class WarnLimiter {
 public:
  explicit WarnLimiter(std::uint64_t interval_ms = 60'000, std::size_t max_subjects = 1024);
  // nullopt: stay quiet. Otherwise how many reports were held back since the last one let through.
  std::optional<std::uint64_t> allow(ConnectionProblem problem, const std::string& subject,
                                     std::uint64_t now_ms) EXCLUDES(mutex_);

 private:
  struct Seen {
    std::uint64_t logged_ms = 0;
    std::uint64_t held_back = 0;
  };
  std::uint64_t interval_ms_;
  std::size_t max_subjects_;
  Mutex mutex_;
  std::map<std::pair<std::size_t, std::string>, Seen> seen_ GUARDED_BY(mutex_);
};

}  // namespace ifex
