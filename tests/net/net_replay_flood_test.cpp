// Hostile peers that stay within the protocol: one replaying a valid entry 10,000 times, one
// flooding new entries at ten times the node's per-peer inbound rate. Figures are printed for
// docs/threat-model.md; no duration is asserted.
#include <iomanip>
#include <iostream>

#include "tests/net/load_support.hpp"

namespace ifex::test::net {
namespace {

bool connected_to(const json::object& status, const std::string& key) {
  auto* p = Node::peer_in(status, key);
  return p && p->at("connected") == json::value(true);
}

void wait_connected(Federation& fed, Node& at, const Node& peer) {
  fed.wait_until(at.name() + " shows " + peer.name() + " connected",
                 [&] { return connected_to(at.status(), peer.key()); });
}

}  // namespace

TEST_CASE("a valid entry replayed 10,000 times is stored once and forwarded at most once",
          "[net][load]") {
  Federation fed("replay");
  Node& t = fed.add("target");
  Node& c = fed.add("third");       // hears from T only
  Node& x = fed.add("replayer");    // hostile_peer's identity; an accepted author
  fed.roster_all({&t, &c});
  t.roster_add(x);
  c.roster_add(x);
  fed.dial(c, t);
  fed.start_all({&t, &c});
  wait_connected(fed, t, c);
  const auto t_before = t.status(), c_before = c.status();

  constexpr std::uint64_t copies = 10'000;
  HostileRun replay(fed, x, t, "replay-entry",
                    {"--count", std::to_string(copies), "--linger-ms", "2000", "--timeout-ms",
                     "30000"});
  const int code = replay.wait(std::chrono::seconds(180));
  INFO(replay.describe());
  REQUIRE(code == 0);
  const auto sent = replay.number("replay-copies-sent");
  const std::string id = *replay.line("sent-id");
  const bool closed = replay.line("closed-by-node") == "yes";

  // T has dealt with every copy it read: all of them when it kept the connection.
  auto delta = [](const json::object& after, const json::object& before, const char* name) {
    return Node::counter_in(after, name) - Node::counter_in(before, name);
  };
  fed.wait_until(
      "T has processed the copies",
      [&] {
        auto st = t.status();
        const auto received = delta(st, t_before, "entries_received");
        const auto settled = delta(st, t_before, "entries_stored") + delta(st, t_before, "duplicates");
        return settled == received && (closed ? received > 0 : received == sent);
      },
      std::chrono::seconds(120), [&] { return json::serialize(t.status()); });
  // A marker behind the copies on the T -> C link: once C holds it, C has handled whatever T
  // forwarded before it, and its status counts that.
  const std::string marker = t.publish("marker after the replays");
  fed.wait_until("C holds the replayed entry and the marker, and counts both", [&] {
    auto ids = c.ids();
    return ids.count(id) && ids.count(marker) && delta(c.status(), c_before, "entries_stored") >= 2;
  });
  const auto t_after = t.status(), c_after = c.status();

  std::cout << "[replay] hostile_peer sent " << sent << " copies of " << id.substr(0, 16)
            << "..., connection closed by T: " << (closed ? "yes" : "no") << " ("
            << replay.number("replay-send-ms") << " ms to send)\n";
  for (const char* name : {"entries_received", "entries_stored", "duplicates", "prunes_sent",
                           "protocol_errors", "entries_pushed"})
    std::cout << "[replay] " << counter_line(t, t_before, t_after, name) << "\n";
  for (const char* name : {"entries_received", "entries_stored", "duplicates"})
    std::cout << "[replay] " << counter_line(c, c_before, c_after, name) << "\n";

  INFO(fed.report());
  // Stored once at T, once at C.
  REQUIRE(t.ids(x.key()) == std::set<std::string>{id});
  REQUIRE(c.ids(x.key()) == std::set<std::string>{id});
  CHECK(delta(t_after, t_before, "entries_stored") == 1);
  CHECK(delta(t_after, t_before, "duplicates") == delta(t_after, t_before, "entries_received") - 1);
  // Forwarded at most once: C received the entry and the marker, and next to no duplicate.
  CHECK(delta(c_after, c_before, "entries_stored") == 2);
  CHECK(delta(c_after, c_before, "entries_received") <= 3);
  CHECK(delta(c_after, c_before, "duplicates") <= 1);
  CHECK(connected_to(t_after, c.key()));
  fed.require_alive();
}

TEST_CASE("a peer flooding at ten times the per-peer rate is throttled, then disconnected; "
          "honest traffic is delivered meanwhile",
          "[net][load]") {
  Federation fed("flood");
  Node& t = fed.add("target");
  Node& b = fed.add("honest");
  Node& x = fed.add("flooder");  // hostile_peer's identity; an accepted author
  fed.roster_all({&t, &b});
  t.roster_add(x);
  fed.dial(b, t);
  constexpr std::uint64_t rate = 64 * 1024, burst = 128 * 1024, disconnect_ms = 4000;
  set_config(t, "network", "max_inbound_bytes_per_s", std::to_string(rate));
  set_config(t, "network", "max_inbound_burst_bytes", std::to_string(burst));
  set_config(t, "network", "throttle_disconnect_ms", std::to_string(disconnect_ms));
  fed.start_all({&t, &b});
  wait_connected(fed, t, b);
  const auto before = t.status();

  HostileRun flood(fed, x, t, "flood",
                   {"--rate-bytes-per-s", std::to_string(10 * rate), "--duration-ms", "30000",
                    "--sndbuf", "16384", "--body-bytes", "1000", "--timeout-ms", "20000"});
  // Honest traffic while it floods, both ways through T.
  b.publish("honest, during the flood");
  fed.wait_all_have({&t}, Federation::published_by({&b}));
  t.publish("target, during the flood");
  fed.wait_all_have({&b}, Federation::published_by({&t, &b}));
  const bool flooding_during_honest = !flood.line("flood-closed-after-ms").has_value();

  const int code = flood.wait(std::chrono::seconds(90));
  fed.require_alive();
  const auto after = t.status();

  // Its send rate, from the samples: the first second (paced at 10x) and the last two seconds
  // before T closed the connection (what T let through).
  std::vector<std::pair<double, double>> samples;  // ms, bytes
  for (const auto& s : flood.all("flood-sample")) {
    std::istringstream in(s);
    double ms = 0, bytes = 0;
    in >> ms >> bytes;
    samples.emplace_back(ms, bytes);
  }
  auto bytes_at = [&](double ms) {
    double seen = 0;
    for (const auto& [m, bytes] : samples)
      if (m <= ms) seen = bytes;
    return seen;
  };
  const double closed_ms = static_cast<double>(flood.number("flood-closed-after-ms"));
  const double first_rate = bytes_at(1000) / 1.0;
  const double last_rate = (bytes_at(closed_ms) - bytes_at(closed_ms - 2000)) / 2.0;
  const auto stored_of_flooder = t.ids(x.key()).size();

  std::cout << std::fixed << std::setprecision(0)
            << "[flood] T's limit " << rate << " B/s (burst " << burst << ", drop after "
            << disconnect_ms << " ms over it); the flooder aims at " << 10 * rate << " B/s\n"
            << "[flood] its send rate: first second " << first_rate << " B/s, last 2 s before the "
            << "close " << last_rate << " B/s (" << std::setprecision(2) << last_rate / rate
            << "x the limit)\n"
            << std::setprecision(0) << "[flood] closed by T after " << closed_ms << " ms, having sent "
            << flood.number("flood-bytes-sent") << " bytes (" << flood.number("flood-entries-sent")
            << " entries); T stored " << stored_of_flooder << " of them\n"
            << "[flood] honest alerts delivered while it was still connected: "
            << (flooding_during_honest ? "yes" : "no") << "\n";
  for (const char* name : {"peers_throttled", "peers_dropped_for_rate", "entries_stored",
                           "protocol_errors", "bytes_in"})
    std::cout << "[flood] " << counter_line(t, before, after, name) << "\n";

  INFO(flood.describe() << "\n" << fed.report());
  REQUIRE(code == 0);  // T closed the connection
  CHECK(t.log().find("inbound rate") != std::string::npos);
  CHECK(Node::counter_in(after, "peers_dropped_for_rate") >
        Node::counter_in(before, "peers_dropped_for_rate"));
  // Throttled: what got through at the end is near T's rate, far below what was offered.
  CHECK(first_rate > 3.0 * rate);
  CHECK(last_rate < 3.0 * rate);
  CHECK(connected_to(after, b.key()));
}

}  // namespace ifex::test::net
