// Load from hostile peers, end to end against real `ifexnode run` processes: a thousand
// connections that never finish the handshake, and a peer that reads too slowly. Each test
// prints its figures (memory from /proc, connection lifetimes, bytes) for docs/threat-model.md;
// none asserts a duration.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>

#include <algorithm>
#include <iomanip>
#include <iostream>

#include "tests/net/hanging_connections.hpp"
#include "tests/net/load_support.hpp"

namespace ifex::test::net {
namespace {

std::string spread(std::vector<double> v) {
  if (v.empty()) return "none";
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))]; };
  std::ostringstream out;
  out << std::fixed << std::setprecision(0) << v.size() << " closed, lived min " << v.front()
      << " / median " << at(0.5) << " / p99 " << at(0.99) << " / max " << v.back() << " ms";
  return out.str();
}

// GET `path` from `source` (a loopback address) over a fresh connection; the status line, or ""
// when the node closed without answering. Bounded by `timeout`.
std::string http_get_from(const std::string& source, int port, const std::string& path,
                          std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in local{}, remote{};
  local.sin_family = remote.sin_family = AF_INET;
  ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
  remote.sin_port = htons(static_cast<std::uint16_t>(port));
  remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0 &&
            ::connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) == 0;
  const std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  ok = ok && ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
                 static_cast<ssize_t>(request.size());
  std::string answer;
  const auto until = Clock::now() + timeout;
  while (ok && Clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[1024];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    answer.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return answer.substr(0, answer.find("\r\n"));
}

std::string memory_line(const std::string& what, const Memory& m) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << what << ": RSS " << mib(m.rss_kib) << " MiB, peak "
      << mib(m.peak_kib) << " MiB";
  return out.str();
}

// Why `node` last let go of `peer`, from its log ("disconnected from FINGERPRINT: why").
std::string drop_reason(const Node& node, const Node& peer) {
  const std::string fp = str(ifexnode_json({"id", "--data", peer.data(), "--json"}).at("fingerprint"));
  const std::string log = node.log(), mark = "disconnected from " + fp + ": ";
  const auto at = log.rfind(mark);
  if (at == std::string::npos) return "(not in the log)";
  const auto from = at + mark.size();
  return log.substr(from, log.find('\n', from) - from);
}

bool connected_to(const json::object& status, const std::string& key) {
  auto* p = Node::peer_in(status, key);
  return p && p->at("connected") == json::value(true);
}

}  // namespace

TEST_CASE("a thousand connections that never finish the handshake are each closed at the "
          "timeout while honest peers keep syncing",
          "[net][load]") {
  // The test holds the connections and the node accepts them: both need the descriptors.
  const rlim_t fd_limit = raise_fd_limit(8192);
  const std::size_t per_kind = fd_limit >= 2400 ? 500 : (fd_limit - 200) / 4;
  if (per_kind < 500)
    WARN("open-file limit " << fd_limit << ": only " << 2 * per_kind << " hanging connections");
  constexpr int timeout_ms = 3000;

  Federation fed("hang");
  Node& t = fed.add("target");
  Node& b = fed.add("honest");
  Node& c = fed.add("newcomer");  // dials in while the connections hang
  fed.roster_all({&t, &b, &c});
  fed.dial(b, t);
  fed.dial(c, t);
  set_config(t, "network", "handshake_timeout_ms", std::to_string(timeout_ms));
  bool all_allowed = false;
  SECTION("limits that let every connection in") {
    all_allowed = true;
    set_config(t, "network", "max_connections", std::to_string(2 * per_kind + 64));
    set_config(t, "network", "max_connections_per_address", std::to_string(2 * per_kind + 8));
  }
  SECTION("the default limits: 128 connections, 8 per address") {
    SUCCEED("the node keeps its default limits");
  }
  const std::string label = all_allowed ? "[all allowed] " : "[default limits] ";

  fed.start_all({&t, &b});
  b.publish("honest, before the hanging connections");
  fed.wait_all_have({&t}, Federation::published_by({&b}));
  const pid_t pid = node_pid(t);
  const Memory before = memory_of(pid);
  const auto status_before = t.status();

  // From 127.0.0.2: half plain TCP saying nothing, half a WebSocket upgrade and then silence.
  // With every connection allowed, each one closed is replaced at once, so the honest checks
  // below run while the full count hangs.
  HangingConnections hang("127.0.0.2", t.port());
  hang.start(per_kind, all_allowed);

  b.publish("honest, while the connections hang");
  fed.wait_all_have({&t}, Federation::published_by({&b}));
  const std::size_t hanging_at_delivery = hang.open_now();
  fed.start_all({&c});  // a new handshake while they hang
  fed.wait_all_have({&c}, Federation::published_by({&b}));
  const std::size_t hanging_at_newcomer = hang.open_now();
  t.publish("target, while the connections hang");
  fed.wait_all_have({&b, &c}, Federation::published_by({&t, &b}));
  const Memory during = memory_of(pid);

  auto report = hang.finish(std::chrono::milliseconds(timeout_ms + 30'000));
  fed.require_alive();
  const Memory after = memory_of(pid);
  const auto status_after = t.status();
  const auto refused = Node::counter_in(status_after, "connections_refused") -
                       Node::counter_in(status_before, "connections_refused");

  std::cout << label << "opened " << report.opened << " connections (" << 2 * per_kind
            << " at once), handshake_timeout_ms " << timeout_ms << "\n"
            << label << "plain TCP: " << spread(report.life_ms[0]) << "\n"
            << label << "upgrade then silence: " << spread(report.life_ms[1]) << " ("
            << report.upgrades_answered << " upgrades answered)\n"
            << label << "refused at connect " << report.refused_at_connect
            << ", refused by the node's limits " << refused << ", still open " << report.still_open
            << "\n"
            << label << "hanging when the honest alert arrived: " << hanging_at_delivery
            << ", when the newcomer had caught up: " << hanging_at_newcomer << "\n"
            << label << memory_line("node before", before) << "\n"
            << label << memory_line("node while hanging", during) << "\n"
            << label << memory_line("node after", after) << "\n";

  INFO(fed.report());
  // Every connection ended, closed by the node (never by the test), within the deadline.
  REQUIRE(report.still_open == 0);
  CHECK(report.refused_at_connect == 0);
  CHECK(report.closed_by_node == report.opened);
  if (all_allowed) {
    // The honest work above happened with (nearly) the whole thousand hanging.
    CHECK(hanging_at_delivery > per_kind);
    CHECK(hanging_at_newcomer > per_kind);
    CHECK(report.upgrades_answered >= per_kind);
    CHECK(refused == 0);
  } else {
    // 8 slots for 127.0.0.2; everything beyond was refused at accept, not served.
    CHECK(refused >= 2 * per_kind - 8);
    CHECK(report.upgrades_answered <= 8);
  }
  // A generous bound, to catch per-connection leaks rather than to measure.
  CHECK(mib(after.peak_kib) - mib(before.rss_kib) < 400);
  // The slots came back: the same address is served again, and the honest links never dropped.
  CHECK(http_get_from("127.0.0.2", t.port(), "/healthz", std::chrono::seconds(10)) ==
        "HTTP/1.1 200 OK");
  CHECK(connected_to(status_after, b.key()));
  CHECK(connected_to(status_after, c.key()));
}

TEST_CASE("a peer that reads a few bytes a second gets a bounded queue and is dropped, and the "
          "node goes on serving",
          "[net][load]") {
  Federation fed("slow");
  Node& t = fed.add("target");
  Node& b = fed.add("honest");
  Node& x = fed.add("slowreader");  // its identity is hostile_peer's; never runs as a node
  fed.roster_all({&t, &b});
  t.roster_add(x);
  fed.dial(b, t);
  constexpr std::size_t backlog = 3000, body = 1500, live = 600;
  set_config(t, "network", "max_pending_outbound_bytes", std::to_string(256 * 1024));
  bool pushed = false;
  SECTION("alerts pushed to it live: dropped when its queue passes the cap") {
    pushed = true;
    SUCCEED("B publishes while the slow reader is connected");
  }
  std::uint64_t send_buffer = 0;  // the kernel's autotuning
  SECTION("catch-up only: its queue stays at the pump's mark; the idle timeout drops it") {
    set_config(t, "network", "idle_timeout_ms", "4000");
  }
  SECTION("catch-up only, with a 64 KiB socket send buffer: the kernel holds far less for it") {
    set_config(t, "network", "idle_timeout_ms", "4000");
    send_buffer = 64 * 1024;
    set_config(t, "network", "socket_send_buffer_bytes", std::to_string(send_buffer));
  }
  const std::string label = pushed        ? "[slow reader, live pushes] "
                            : send_buffer ? "[slow reader, catch-up only, SO_SNDBUF 64 KiB] "
                                          : "[slow reader, catch-up only] ";
  REQUIRE(import_archive(t, write_archive(fed.dir(), "backlog", backlog, body)) == backlog);

  fed.start_all({&t, &b});
  fed.wait_until("B has caught up with T's backlog", [&] { return b.clocks()[t.key()] == backlog; });
  const pid_t pid = node_pid(t);
  const Memory before = memory_of(pid);
  const auto status_before = t.status();

  // It asks for T's whole log and for B's (empty yet), then barely reads.
  HostileRun slow(fed, x, t, "slow-reader",
                  {"--want", b.key(), "--rcvbuf", "4096", "--read-bytes-per-s", "16",
                   "--timeout-ms", "20000", "--duration-ms", "120000"});
  slow.wait_for_line("slow-reader-ready", std::chrono::seconds(30));
  // Its clock reached T's replicator (catch-up started) before anything new is stored, so that
  // what B publishes next is pushed to it (a log it is still catching up on is pulled instead,
  // only as its queue drains).
  fed.wait_until("T is streaming its backlog to the slow reader", [&] {
    auto st = t.status();
    auto* p = Node::peer_in(st, x.key());
    return p && p->at("connected") == json::value(true) && p->if_contains("syncing") &&
           p->at("syncing") == json::value(true);
  });

  if (pushed) {
    // Live traffic: B's new alerts reach T, which pushes them on to every eager peer.
    REQUIRE(import_archive(b, write_archive(fed.dir(), "live", live, body)) == live);
    fed.wait_until(
        "T drops the slow reader",
        [&] {
          return t.counter("slow_peers_dropped") >
                 Node::counter_in(status_before, "slow_peers_dropped");
        },
        std::chrono::seconds(60), [&] { return json::serialize(t.status()); });
  } else {
    fed.wait_until(
        "T drops the slow reader", [&] {
          // Once gone, a peer T does not dial is no longer listed at all.
          auto st = t.status();
          auto* p = Node::peer_in(st, x.key());
          return !p || p->at("connected") == json::value(false);
        },
        std::chrono::seconds(60), [&] { return json::serialize(t.status()); });
  }
  const Memory at_drop = memory_of(pid);
  const auto status_at_drop = t.status();
  slow.signal(SIGUSR1);  // now drain: the stream must end after what the kernel still holds
  const int code = slow.wait(std::chrono::seconds(60));

  if (pushed) fed.wait_until("T holds B's live alerts", [&] { return t.clocks()[b.key()] == live; });
  t.publish("target, after the slow reader");
  b.publish("honest, after the slow reader");
  fed.wait_all_have({&t, &b}, Federation::published_by({&t, &b}));
  fed.require_alive();
  const Memory after = memory_of(pid);
  const auto slow_bytes = slow.number("slow-read-bytes");
  const auto drained = slow.number("drained-bytes");
  const std::string reason = drop_reason(t, x);

  std::cout << label << "T's backlog " << backlog << " alerts (~" << backlog * body / 1024
            << " KiB of bodies), max_pending_outbound_bytes 262144"
            << (pushed ? ", then " + std::to_string(live) + " live alerts from B" : std::string())
            << "\n"
            << label << "T dropped it: " << reason << "\n"
            << label << "it read " << slow_bytes << " bytes slowly, then drained " << drained
            << " bytes (what the kernels still held) to the end of the stream\n"
            << label << counter_line(t, status_before, status_at_drop, "slow_peers_dropped") << "\n"
            << label << memory_line("node before", before) << "\n"
            << label << memory_line("node at the drop", at_drop) << "\n"
            << label << memory_line("node after", after) << "\n";
  INFO(slow.describe() << "\n" << fed.report());
  REQUIRE(code == 0);  // the stream ended: T had closed it
  if (pushed) {
    CHECK(reason.find("reads too slowly") != std::string::npos);
  } else {
    // The pump never let its queue reach the cap; the idle timeout ended it.
    CHECK(Node::counter_in(status_at_drop, "slow_peers_dropped") ==
          Node::counter_in(status_before, "slow_peers_dropped"));
    CHECK(reason.find("timeout") != std::string::npos);
  }
  // It got a bounded part of what it asked for, not the whole backlog.
  CHECK(slow_bytes + drained < backlog * body);
  // What the kernels held when T let go: T's send buffer (Linux doubles the size asked for, and
  // counts its own overhead in it) and the reader's 4 KiB receive buffer. With the kernel's
  // autotuning it is megabytes.
  if (send_buffer > 0) CHECK(drained < 4 * send_buffer + 64 * 1024);
  CHECK(mib(after.peak_kib) - mib(before.rss_kib) < 400);
  CHECK(connected_to(t.status(), b.key()));
}

namespace {

// Lowers this process's descriptor limit for the children started while it lives.
class ScopedFileLimit {
 public:
  explicit ScopedFileLimit(rlim_t max_files) {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit low = saved_;
    low.rlim_cur = max_files;
    ::setrlimit(RLIMIT_NOFILE, &low);
  }
  ~ScopedFileLimit() { ::setrlimit(RLIMIT_NOFILE, &saved_); }
  ScopedFileLimit(const ScopedFileLimit&) = delete;
  ScopedFileLimit& operator=(const ScopedFileLimit&) = delete;

 private:
  rlimit saved_{};
};

}  // namespace

// A node out of file descriptors must pause between failed accepts (node/net/server.cpp,
// accept_loop), not spin and flood its log while honest requests wait.
TEST_CASE("a node out of file descriptors backs off instead of spinning on accept()",
          "[net][load][emfile]") {
#ifdef IFEX_SANITIZED_BUILD
  // Not under UBSan: it checks a virtual call whose type is not yet in its cache by probing
  // the object's memory through a pipe(), which fails with no descriptor left, so it reports
  // valid objects as "invalid vptr" and halts the node; suppressing the check is not reliable
  // either (matching a suppression may itself need a descriptor). Release builds run it.
  SUCCEED("skipped in a sanitizer build: UBSan's vptr check needs free file descriptors");
  return;
#endif
  constexpr std::size_t per_kind = 150;
  Federation fed("emfile");
  Node& t = fed.add("target");
  set_config(t, "network", "handshake_timeout_ms", "3000");
  set_config(t, "network", "max_connections", "1000");
  set_config(t, "network", "max_connections_per_address", "1000");
  {
    // The node inherits this limit: 160 descriptors, fewer than the connections below.
    // Restored even if the start fails, so that later tests do not inherit it.
    ScopedFileLimit limit(160);
    fed.start_all({&t});
  }
  HangingConnections hang("127.0.0.2", t.port());
  hang.start(per_kind, false);
  // Honest requests get in once the hanging ones time out and free their descriptors.
  const std::string answer = http_get_from("127.0.0.1", t.port(), "/healthz", std::chrono::seconds(30));
  auto report = hang.finish(std::chrono::seconds(60));
  fed.require_alive();
  const std::string log = t.log();
  std::size_t failures = 0;
  for (auto at = log.find("accept failed"); at != std::string::npos; at = log.find("accept failed", at + 1))
    ++failures;
  std::cout << "[emfile] " << 2 * per_kind << " connections against a node limited to 160 "
            << "descriptors: " << failures << " 'accept failed' log lines, " << log.size()
            << " bytes of log; healthz: '" << answer << "'; " << spread(report.life_ms[0]) << "\n";
  INFO(tail(log, 2000));
  CHECK(report.still_open == 0);
  CHECK(answer == "HTTP/1.1 200 OK");
  CHECK(failures < 1000);  // a backing-off loop logs a handful, a spinning one hundreds of thousands
}

}  // namespace ifex::test::net
