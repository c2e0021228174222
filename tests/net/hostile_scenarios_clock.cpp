// Scenarios about the author's clock (created_ms), which the protocol calls informative only:
// an entry claiming to come from the future, and a log whose clock runs backwards. Neither is a
// protocol error, so the node must keep the connection open (a forwarder may be honest).
#include <cstdio>

#include "tests/net/hostile_entries.hpp"
#include "tests/net/hostile_scenarios.hpp"

namespace ifex::hostile {

namespace {

constexpr std::int64_t day_ms = 24LL * 3600 * 1000;

// Sends our clock and `log` in one message, then stays until --linger-ms has passed: exit 0 when
// the node kept the connection, `honest_closed` when it closed it.
[[noreturn]] void send_and_linger(Context& c, const std::vector<SignedEntry>& log) {
  Connection conn(c.ioc, c.url, c.watchdog, c.o.timeout);
  SessionKeys keys = conn.handshake(c.network, c.me, c.server);
  conn.start_frames(keys, c.limits);
  if (conn.write(conn.seal(clock_claiming(c.me.public_key(), log.size()))))
    finish(honest_closed, "the server closed before our clock");
  EntriesMsg entries{true, {}};
  for (const auto& e : log) {
    entries.entries.push_back(e.bytes());
    print_sent(e.bytes());
    std::printf("sent-created-ms %llu\n", static_cast<unsigned long long>(e.created_ms()));
  }
  if (conn.write(conn.seal(entries))) finish(honest_closed, "the server closed before our entries");
  if (conn.wait_for_close(c.limits, c.o.linger))
    finish(honest_closed, "the server closed the connection: " + conn.last_error());
  finish(expected, "the server kept the connection open");
}

}  // namespace

bool run_clock_scenario(Context& c) {
  const std::string& s = c.o.scenario;
  LogWriter writer(c.me, s);
  const auto now = static_cast<std::int64_t>(wall_ms());
  if (s == "future-entry") {
    // Seq 1 dated --created-offset-ms ahead (two days unless told).
    const std::int64_t ahead = c.o.created_offset_ms != 0 ? c.o.created_offset_ms : 2 * day_ms;
    send_and_linger(c, {writer.next(200, static_cast<std::uint64_t>(now + ahead))});
  }
  if (s == "backwards-clock") {
    // Seq 1 now, seq 2 a day earlier, seq 3 two days earlier: valid, since order is seq.
    std::vector<SignedEntry> log;
    for (int i = 0; i < 3; ++i) log.push_back(writer.next(200, static_cast<std::uint64_t>(now - i * day_ms)));
    send_and_linger(c, log);
  }
  return false;
}

}  // namespace ifex::hostile
