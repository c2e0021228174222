// A federation larger than one clock message (issue 13): two `ifexnode run` processes on
// loopback whose rosters hold 10,000 members connect over gossip version 3, exchange their clocks
// in parts and replicate both ways. Before version 3 a clock of 10,000 authors (720 KB) was over
// the 128 KiB message limit and every connection failed.
#include <chrono>

#include "node/home/node_handle.hpp"
#include "tests/net/federation.hpp"

namespace ifex::test::net {
namespace {

// 9,998 roster members with no node behind them, half sorting before every real key and half
// after, so each node's own key (the log that must cross) sits in a middle part of the clock.
void add_silent_members(const Node& n) {
  auto node = NodeHandle::open(n.data());
  REQUIRE(node);
  for (std::size_t i = 0; i < 9'998; ++i) {
    Bytes b(32, 0x42);
    b[0] = i < 4'999 ? 0x00 : 0xff;
    b[1] = static_cast<std::uint8_t>(i >> 8);
    b[2] = static_cast<std::uint8_t>(i);
    auto added = node->store().roster_add({*PublicKey::from(b), "", 1});
    REQUIRE(added);
  }
}

}  // namespace

TEST_CASE("two nodes whose rosters hold 10,000 members replicate (clocks in parts)",
          "[net][clock_part]") {
  Federation fed("large-roster");
  Node& a = fed.add("a");
  Node& b = fed.add("b");
  fed.roster_all({&a, &b});
  // Written to the stores directly: 10,000 `roster add` calls would take many minutes.
  add_silent_members(a);
  add_silent_members(b);
  fed.dial(b, a);
  fed.start_all();

  a.publish("published on A, whose key is one of 10,000");
  fed.wait_all_have({&b}, Federation::published_by({&a}));
  b.publish("published on B");
  fed.wait_all_have({&a, &b}, Federation::published_by({&a, &b}));
  CHECK(a.counter("protocol_errors") == 0);
  CHECK(b.counter("protocol_errors") == 0);
  // Each sent its clock of 10,000 authors as 6 parts (more if a reconnect sent it again).
  CHECK(a.counter("clock_parts_sent") >= 6);
  CHECK(b.counter("clock_parts_sent") >= 6);
}

}  // namespace ifex::test::net
