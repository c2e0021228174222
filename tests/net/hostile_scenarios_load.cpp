// Scenarios that stay within the protocol but cost the node: a peer that reads too slowly, one
// that replays a valid entry thousands of times, one that floods new entries. They report what
// they observed on stdout ("key value" lines) for the load tests (net_load_test.cpp).
#include <poll.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

#include "keys/key_text.hpp"
#include "tests/net/hostile_entries.hpp"
#include "tests/net/hostile_scenarios.hpp"

namespace ifex::hostile {

namespace {

std::uint64_t ms_since(Clock::time_point start) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<milliseconds>(Clock::now() - start).count());
}

void connect_and_handshake(Context& c, Connection& conn) {
  SessionKeys keys = conn.handshake(c.network, c.me, c.server);
  conn.start_frames(keys, c.limits);
}

// ---- slow-reader ----

// Set by SIGUSR1: the test saw the node drop us, so stop reading slowly and drain what the
// kernel still holds, to see the end of the stream.
std::atomic<bool> drain_requested{false};
extern "C" void request_drain(int) { drain_requested = true; }

[[noreturn]] void slow_reader(Context& c) {
  struct sigaction sa {};
  sa.sa_handler = request_drain;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGUSR1, &sa, nullptr);

  SocketBuffers buffers{c.o.receive_buffer > 0 ? c.o.receive_buffer : 4096, 0};
  Connection conn(c.ioc, c.url, c.watchdog, c.o.timeout, buffers);
  connect_and_handshake(c, conn);
  // Seq 0 for an author: "I accept it and hold nothing of it", so the node streams its whole
  // log (an empty clock would ask for nothing: a peer gets only the authors its clock names).
  ClockMsg clock = clock_claiming(c.server, 0);
  for (const auto& text : c.o.want) {
    auto key = public_key_from_text(text);
    if (!key) finish(usage, "bad --want key: " + key.error().message);
    clock.heads.push_back({*key, 0});
  }
  if (conn.write(conn.seal(clock))) finish(handshake_failed, "the server closed before our clock");
  std::printf("slow-reader-ready %zu authors asked for\n", clock.heads.size());
  std::fflush(stdout);

  const auto start = Clock::now();
  const auto tick = milliseconds(250);
  const std::size_t per_tick = std::max<std::uint64_t>(1, (c.o.read_bytes_per_s ? c.o.read_bytes_per_s : 16) / 4);
  const auto slow_for = c.o.duration.count() > 0 ? c.o.duration : milliseconds(120'000);
  std::uint8_t small[4096];
  std::size_t slow_bytes = 0;
  conn.disarm();
  while (!drain_requested && Clock::now() - start < slow_for) {
    pollfd p{conn.fd(), POLLIN, 0};
    if (::poll(&p, 1, 0) > 0) {
      boost::system::error_code ec;
      slow_bytes += conn.read_raw(small, std::min(per_tick, sizeof small), ec);
      if (ec) {
        std::printf("slow-read-bytes %zu\nslow-reader-closed-after-ms %llu\n", slow_bytes,
                    static_cast<unsigned long long>(ms_since(start)));
        finish(expected, "the server closed the connection during the slow phase: " + ec.message());
      }
    }
    std::this_thread::sleep_for(tick);  // the slowness itself, not a wait for anything
  }
  std::printf("slow-read-bytes %zu\nslow-phase-ms %llu\n", slow_bytes,
              static_cast<unsigned long long>(ms_since(start)));
  std::fflush(stdout);

  // Drain at full speed: a dropped connection ends once the kernel's buffers are read; one the
  // node kept goes on streaming (its backlog) and then idles until the watchdog fires.
  std::vector<std::uint8_t> big(256 * 1024);
  std::size_t drained = 0;
  conn.arm(c.o.timeout);
  for (;;) {
    boost::system::error_code ec;
    drained += conn.read_raw(big.data(), big.size(), ec);
    if (!ec) continue;
    std::printf("drained-bytes %zu\n", drained);
    if (conn.watchdog_expired())
      finish(not_closed, "the server kept the slow reader connected (drained " +
                             std::to_string(drained) + " bytes, then silence)");
    std::printf("slow-reader-closed-after-ms %llu\n",
                static_cast<unsigned long long>(ms_since(start)));
    finish(expected, "the server had closed the connection: " + ec.message());
  }
}

// ---- replay-entry ----

[[noreturn]] void replay_entry(Context& c) {
  Connection conn(c.ioc, c.url, c.watchdog, c.o.timeout);
  connect_and_handshake(c, conn);
  LogWriter writer(c.me, "replayed");
  const SignedEntry entry = writer.next(c.o.body_bytes ? c.o.body_bytes : 200);
  if (conn.write(conn.seal(clock_claiming(c.me.public_key(), 1))))
    finish(honest_closed, "the server closed before our clock");
  print_sent(entry.bytes());

  const std::uint64_t copies = c.o.count ? c.o.count : 10'000;
  const auto start = Clock::now();
  std::uint64_t sent = 0;
  bool closed = false;
  for (; sent < copies; ++sent) {
    if (sent % 256 == 0) conn.arm();  // each stretch of writes has its own deadline
    // Each copy is its own message, sealed anew: the frame layer must not be what refuses it.
    if (conn.write(conn.seal(EntriesMsg{true, {entry.bytes()}}))) {
      if (conn.watchdog_expired()) finish(not_closed, "the server stopped reading our copies");
      closed = true;
      break;
    }
  }
  std::printf("replay-copies-sent %llu\nreplay-send-ms %llu\n",
              static_cast<unsigned long long>(sent),
              static_cast<unsigned long long>(ms_since(start)));
  if (!closed) closed = conn.wait_for_close(c.limits, c.o.linger);
  std::printf("closed-by-node %s\n", closed ? "yes" : "no");
  finish(expected, closed ? "the server closed the connection: " + conn.last_error()
                          : "the server kept the connection open");
}

// ---- flood ----

[[noreturn]] void flood(Context& c) {
  SocketBuffers buffers{0, c.o.send_buffer > 0 ? c.o.send_buffer : 16 * 1024};
  Connection conn(c.ioc, c.url, c.watchdog, c.o.timeout, buffers);
  connect_and_handshake(c, conn);
  if (conn.write(conn.seal(clock_claiming(c.me.public_key(), 0))))
    finish(honest_closed, "the server closed before our clock");

  LogWriter writer(c.me, "flood");
  const std::size_t body = c.o.body_bytes ? c.o.body_bytes : 1000;
  const auto duration = c.o.duration.count() > 0 ? c.o.duration : milliseconds(10'000);
  const std::uint64_t rate = c.o.rate_bytes_per_s;
  std::atomic<std::uint64_t> bytes_sent{0};
  std::atomic<bool> done{false};
  const auto start = Clock::now();

  // Writes block while the node does not read, so the samples come from their own thread.
  std::thread sampler([&] {
    while (!done) {
      std::printf("flood-sample %llu %llu\n", static_cast<unsigned long long>(ms_since(start)),
                  static_cast<unsigned long long>(bytes_sent.load()));
      std::fflush(stdout);
      for (int i = 0; i < 25 && !done; ++i) std::this_thread::sleep_for(milliseconds(10));
    }
  });
  auto stop_sampler = [&] {
    done = true;
    sampler.join();
  };

  conn.arm(duration + c.o.timeout);
  std::uint64_t entries = 0;
  bool closed = false;
  while (Clock::now() - start < duration) {
    SignedEntry e = writer.next(body);
    Bytes frame = conn.seal(EntriesMsg{true, {e.bytes()}});
    if (rate > 0) {  // pacing: the frame leaves when the average would not exceed the rate
      auto due = start + std::chrono::microseconds((bytes_sent + frame.size()) * 1'000'000 / rate);
      std::this_thread::sleep_until(due);
    }
    if (conn.write(frame)) {
      closed = !conn.watchdog_expired();
      break;
    }
    bytes_sent += frame.size();
    ++entries;
  }
  const auto stopped_ms = ms_since(start);
  stop_sampler();
  std::printf("flood-bytes-sent %llu\nflood-entries-sent %llu\n",
              static_cast<unsigned long long>(bytes_sent.load()),
              static_cast<unsigned long long>(entries));
  if (closed) {
    std::printf("flood-closed-after-ms %llu\n", static_cast<unsigned long long>(stopped_ms));
    finish(expected, "the server closed the connection while we flooded: " + conn.last_error());
  }
  if (conn.watchdog_expired()) finish(not_closed, "our writes were blocked until the deadline");
  std::printf("flood-stopped-after-ms %llu\n", static_cast<unsigned long long>(stopped_ms));
  if (conn.wait_for_close(c.limits, c.o.timeout)) {
    std::printf("flood-closed-after-ms %llu\n", static_cast<unsigned long long>(ms_since(start)));
    finish(expected, "the server closed the connection after the flood: " + conn.last_error());
  }
  finish(not_closed, "the server kept the flooding connection open");
}

}  // namespace

bool run_load_scenario(Context& c) {
  const std::string& s = c.o.scenario;
  if (s == "slow-reader") slow_reader(c);
  if (s == "replay-entry") replay_entry(c);
  if (s == "flood") flood(c);
  return false;
}

}  // namespace ifex::hostile
