// Scenarios that break the protocol once (net_e2e_test, net_hostile_test.cpp): a replayed
// handshake or hello, a flipped bit, a bad signature, an oversized frame; plus the honest control
// and the documented clean end of a stream.
#include <sodium.h>

#include <cstdio>
#include <optional>
#include <string>

#include "tests/net/hostile_entries.hpp"
#include "tests/net/hostile_scenarios.hpp"

namespace ifex::hostile {

namespace {

[[noreturn]] void replay_handshake(Context& c) {
  Bytes hello, auth;
  {
    // A complete, clean session, as an eavesdropper would have recorded it.
    Connection first(c.ioc, c.url, c.watchdog, c.o.timeout);
    SessionKeys keys = first.handshake(c.network, c.me, c.server);
    first.start_frames(keys, c.limits);
    hello = first.hello();
    auth = first.auth();
    first.close_cleanly();
  }
  Connection replay(c.ioc, c.url, c.watchdog, c.o.timeout);
  if (replay.write(hello)) finish(expected, "the server closed before the replayed hello");
  auto reply = replay.read();
  if (!reply) finish(expected, "the server closed on the replayed hello: " + replay.last_error());
  if (replay.write(auth)) finish(expected, "the server closed before the replayed auth");
  auto accept = replay.read();
  if (accept)
    finish(replay_accepted, "the server answered a replayed auth with " +
                                std::to_string(accept->size()) + " bytes");
  if (c.watchdog.expired()) finish(not_closed, "the server neither accepted nor closed");
  finish(expected, "the server closed on the replayed auth: " + replay.last_error());
}

[[noreturn]] void honest(Context& c, Connection& conn) {
  auto log = make_log(c.me, 2, 200, "honest");
  if (conn.write(conn.seal(clock_claiming(c.me.public_key(), 2))))
    finish(honest_closed, "the server closed before our clock");
  EntriesMsg entries;
  for (const auto& e : log) {
    entries.entries.push_back(e.bytes());
    print_sent(e.bytes());
  }
  if (conn.write(conn.seal(entries))) finish(honest_closed, "the server closed before our entries");
  if (conn.wait_for_close(c.limits, c.o.linger))
    finish(honest_closed, "the server closed an honest connection: " + conn.last_error());
  finish(expected, "the server kept the connection open");
}

// Not an attack: the documented clean end of a stream, a FINAL frame, then the WebSocket close.
// The node must take it as a clean close, not as a protocol error.
[[noreturn]] void final_frame(Context& c, Connection& conn) {
  if (conn.write(conn.seal(clock_claiming(c.me.public_key(), 0))))
    finish(honest_closed, "the server closed before our clock");
  if (conn.write(conn.seal_final())) finish(honest_closed, "the server closed before our final frame");
  conn.close_cleanly();
  finish(expected, "sent a final frame and closed");
}

void flip_bit(Context& c, Connection& conn) {
  auto log = make_log(c.me, 1, 200, "flipped");
  if (conn.write(conn.seal(clock_claiming(c.me.public_key(), 1))))
    finish(not_closed, "the server closed before our clock");
  EntriesMsg entries{true, {log[0].bytes()}};
  print_sent(log[0].bytes());
  Bytes frame = conn.seal(entries);
  frame[frame.size() / 2] ^= 0x10;
  if (conn.write(frame)) finish(expected, "the server closed while we sent the altered frame");
}

void bad_signature(Context& c, Connection& conn) {
  auto log = make_log(c.me, 2, 200, "forged");
  Bytes forged = log[1].bytes();
  forged.back() ^= 0x01;  // the signature is the last 64 bytes
  if (conn.write(conn.seal(clock_claiming(c.me.public_key(), 2))))
    finish(not_closed, "the server closed before our clock");
  EntriesMsg entries{false, {log[0].bytes(), forged}};
  print_sent(log[0].bytes());
  print_sent(forged);
  if (conn.write(conn.seal(entries))) finish(expected, "the server closed while we sent");
}

void oversize(Context& c, Connection& conn) {
  // Four valid ~50 KiB entries: each is within max_entry_bytes, the message is not.
  auto log = make_log(c.me, 4, 50 * 1024, "oversize");
  if (conn.write(conn.seal(clock_claiming(c.me.public_key(), 4))))
    finish(not_closed, "the server closed before our clock");
  EntriesMsg entries;
  for (const auto& e : log) {
    entries.entries.push_back(e.bytes());
    print_sent(e.bytes());
  }
  Bytes frame = conn.seal(entries);
  std::printf("oversize-frame-bytes %zu\n", frame.size());
  if (conn.write(frame)) finish(expected, "the server closed while we sent the big frame");
}

// ---- how the node closes (docs/protocol.md, "Closing a connection") ----

// Ends the process: `expected` when the server closed with `code`, `reason` (when given) and a
// FINAL frame first or not, as `final_frame` says; protocol_surprise otherwise.
[[noreturn]] void judge_close(Connection& conn, bool closed, int code,
                              const std::optional<std::string>& reason, bool final_frame) {
  conn.print_close();
  if (!closed) finish(not_closed, "the server did not close the connection");
  std::string what;
  if (conn.close_code() != code) what += " code " + std::to_string(conn.close_code());
  if (reason && conn.close_reason() != *reason) what += " reason '" + conn.close_reason() + "'";
  if (conn.saw_final() != final_frame) what += conn.saw_final() ? " FINAL sent" : " no FINAL";
  if (!what.empty()) finish(protocol_surprise, "the server's close differs:" + what);
  finish(expected, "the server closed with " + std::to_string(code) + " '" +
                       conn.close_reason() + "'" + (final_frame ? " after FINAL" : ""));
}

// A protocol error after the handshake: close 1008 with a short printable reason, no FINAL.
[[noreturn]] void close_protocol_error(Context& c, Connection& conn) {
  if (conn.write(conn.seal(clock_claiming(c.me.public_key(), 0))))
    finish(not_closed, "the server closed before our clock");
  const std::uint8_t junk[] = {0xff, 0x00, 0x01};  // no gossip message has type 0xff
  if (conn.write(conn.seal_bytes({junk, sizeof junk})))
    finish(not_closed, "the server closed before our junk");
  const bool closed = conn.wait_for_close(c.limits, c.o.timeout);
  const std::string& r = conn.close_reason();
  bool printable = r.size() <= 64;
  for (char ch : r) printable = printable && ch >= 0x20 && ch <= 0x7e;
  if (r.empty() || !printable) {
    conn.print_close();
    finish(protocol_surprise, "the reason is not 1-64 printable bytes: '" + r + "'");
  }
  judge_close(conn, closed, 1008, std::nullopt, false);
}

// A hello addressed to another key (the server cannot check its MAC): the handshake fails, and
// the server closes with a bare 1008, sending no handshake message.
[[noreturn]] void close_handshake_failure(Context& c) {
  Connection conn(c.ioc, c.url, c.watchdog, c.o.timeout);
  std::uint8_t seed[32];
  randombytes_buf(seed, sizeof seed);
  ClientHandshake hs(c.network, c.me, c.me.public_key(), EphemeralKey::from_seed({seed, 32}));
  if (conn.write(hs.hello())) finish(not_closed, "the server closed before our hello");
  conn.arm();
  auto reply = conn.read();
  conn.disarm();
  if (reply) finish(protocol_surprise, "the server answered a hello for another key");
  if (conn.watchdog_expired()) finish(not_closed, "the server neither answered nor closed");
  judge_close(conn, true, 1008, std::string(), false);
}

// A hello recorded from a clean session, replayed at once on a new connection (docs/protocol.md,
// "Message 1: hello", step 4): the server must treat it as a hello with a wrong MAC, sending no
// handshake message and a bare 1008. Without the server's memory of recent hellos it answers
// with a fresh reply, which tells whoever replayed it that an ifexnode holding that key is there.
[[noreturn]] void replay_hello(Context& c) {
  Bytes hello;
  {
    Connection first(c.ioc, c.url, c.watchdog, c.o.timeout);
    SessionKeys keys = first.handshake(c.network, c.me, c.server);
    first.start_frames(keys, c.limits);
    hello = first.hello();
    first.close_cleanly();
  }
  Connection replay(c.ioc, c.url, c.watchdog, c.o.timeout);
  if (replay.write(hello)) finish(not_closed, "the server closed before the replayed hello");
  replay.arm();
  auto reply = replay.read();
  replay.disarm();
  if (reply)
    finish(replay_accepted, "the server answered the replayed hello with " +
                                std::to_string(reply->size()) + " bytes");
  if (replay.watchdog_expired()) finish(not_closed, "the server neither answered nor closed");
  judge_close(replay, true, 1008, std::string(), false);
}

// A second connection with the key of a connected one: the node keeps the first and closes the
// second cleanly, FINAL then 1000 "duplicate_link".
[[noreturn]] void close_duplicate(Context& c) {
  Connection first(c.ioc, c.url, c.watchdog, c.o.timeout);
  first.start_frames(first.handshake(c.network, c.me, c.server), c.limits);
  Connection second(c.ioc, c.url, c.watchdog, c.o.timeout);
  second.exchange_headers(second.handshake(c.network, c.me, c.server));
  const bool closed = second.wait_for_close(c.limits, c.o.timeout);
  judge_close(second, closed, 1000, std::string("duplicate_link"), true);
}

// Connected until the node stops (the test stops it after "connected"): FINAL, then 1000
// "shutdown".
[[noreturn]] void close_shutdown(Context& c, Connection& conn) {
  std::printf("connected\n");
  std::fflush(stdout);
  const bool closed = conn.wait_for_close(c.limits, c.o.timeout);
  judge_close(conn, closed, 1000, std::string("shutdown"), true);
}

// Gossip version 3: the parts of one clock, never the last. The node must close once they list
// more than max_clock_authors (100,000) together, long before we run out of parts.
[[noreturn]] void endless_clock_parts(Context& c) {
  Connection conn(c.ioc, c.url, c.watchdog, c.o.timeout, {}, "ifex-gossip.3");
  SessionKeys keys = conn.handshake(c.network, c.me, c.server);
  conn.start_frames(keys, c.limits);
  constexpr std::size_t per_part = 1'820;  // as many as fit one message
  constexpr std::size_t most_parts = 100;  // 182,000 authors
  for (std::size_t part = 0; part < most_parts; ++part) {
    ClockPartMsg m{false, false, {}};
    for (std::size_t i = 0; i < per_part; ++i) {
      const std::size_t n = part * per_part + i;
      Bytes key(32, 0x7e);
      for (std::size_t k = 0; k < 4; ++k) key[k] = static_cast<std::uint8_t>(n >> (8 * k));
      m.heads.push_back({*PublicKey::from(key), 0});
    }
    if (conn.write(conn.seal(m)))
      finish(expected, "the server closed after " + std::to_string(part) + " parts: " +
                           conn.last_error());
  }
  if (conn.wait_for_close(c.limits, c.o.timeout))
    finish(expected, "the server closed the connection: " + conn.last_error());
  finish(not_closed, "the server took " + std::to_string(most_parts) +
                         " parts of one clock and kept the connection");
}

}  // namespace

bool run_protocol_scenario(Context& c) {
  const std::string& s = c.o.scenario;
  if (s == "replay-handshake") replay_handshake(c);
  if (s == "replay-hello") replay_hello(c);
  if (s == "close-handshake") close_handshake_failure(c);
  if (s == "close-duplicate") close_duplicate(c);
  if (s == "endless-clock-parts") endless_clock_parts(c);
  void (*attack)(Context&, Connection&) = nullptr;
  if (s == "flip-bit") attack = flip_bit;
  else if (s == "bad-signature") attack = bad_signature;
  else if (s == "oversize") attack = oversize;
  else if (s != "honest" && s != "final-frame" && s != "close-protocol" && s != "close-shutdown")
    return false;

  Connection conn(c.ioc, c.url, c.watchdog, c.o.timeout);
  SessionKeys keys = conn.handshake(c.network, c.me, c.server);
  conn.start_frames(keys, c.limits);
  if (s == "honest") honest(c, conn);
  if (s == "final-frame") final_frame(c, conn);
  if (s == "close-protocol") close_protocol_error(c, conn);
  if (s == "close-shutdown") close_shutdown(c, conn);
  attack(c, conn);
  // Each attack must cost the peer its connection.
  if (conn.wait_for_close(c.limits, c.o.timeout))
    finish(expected, "the server closed the connection: " + conn.last_error());
  finish(not_closed,
         "the server kept the connection open for " + std::to_string(c.o.timeout.count()) + " ms");
}

}  // namespace ifex::hostile
