// Forks found where two histories of one author meet (issue: equivocation behind a partition).
// Two nodes, each an in-memory store with the real Ingester and Replicator, joined by a link
// that encodes every message at a chosen gossip version and decodes it at the other end, as the
// node's sessions do. Author F signed two entries at seq 2; X holds one, Y the other.
#include <catch2/catch.hpp>

#include <deque>
#include <map>
#include <utility>
#include <vector>

#include "protocol/gossip_messages.hpp"
#include "protocol/ingester.hpp"
#include "protocol/log_rules.hpp"
#include "protocol/replicator.hpp"
#include "tests/protocol/memory_store.hpp"
#include "tests/protocol/protocol_fixtures.hpp"

namespace ifex {
namespace {

using test::make_entry;
using test::make_log;
using test::MemoryStore;
using test::seeded_identity;

struct TestNode {
  MemoryStore store;
  PendingEntries pending{100};
  Replicator replicator{ReplicatorConfig{}, store, [](const PublicKey&) { return true; }};
  IngestEvents events;
  Ingester ingester{store, pending, replicator, events};
  std::uint64_t grafts_sent = 0;

  void publish(const SignedEntry& e) {
    const SignedEntry* one[] = {&e};
    const IngestBatch batch{std::nullopt, false, one};
    REQUIRE(ingester.ingest(std::span(&batch, 1), 0));
  }
  ClockMsg clock(const PublicKey& author) const {
    return ClockMsg{true, {{author, store.head(author).seq}}};
  }
};

// Both nodes connected as peer 1 of each other; messages cross in rounds until none is left.
struct Pair {
  TestNode x, y;
  GossipVersion version;
  explicit Pair(GossipVersion v) : version(v) {}

  void connect(const PublicKey& author) {
    x.replicator.on_connected(1, x.clock(author), 0, true, version);
    y.replicator.on_connected(1, y.clock(author), 0, true, version);
  }
  // Delivers until quiet (bounded: a loop between the two fails the test instead of hanging).
  void settle() {
    for (int round = 0; round < 50; ++round) {
      bool moved = deliver(x, y, round) | deliver(y, x, round);
      if (!moved) return;
    }
    FAIL("the two nodes never went quiet");
  }

 private:
  bool deliver(TestNode& from, TestNode& to, int round) {
    std::vector<GossipMessage> messages;
    for (auto& [peer, m] : from.replicator.take_outgoing()) messages.push_back(std::move(m));
    while (auto batch = from.replicator.next_sync_batch(1, 1 << 20)) messages.push_back(*batch);
    for (const GossipMessage& m : messages) {
      auto decoded = decode_gossip(encode_gossip(m, version), GossipLimits{});
      REQUIRE(decoded);
      receive(from, to, *decoded, static_cast<std::uint64_t>(round) * 100);
    }
    return !messages.empty();
  }
  static void receive(TestNode& from, TestNode& to, const GossipMessage& m, std::uint64_t now) {
    if (std::holds_alternative<GraftMsg>(m)) ++from.grafts_sent;
    if (const auto* entries = std::get_if<EntriesMsg>(&m)) {
      std::vector<SignedEntry> verified;
      for (const Bytes& bytes : entries->entries) {
        auto e = decode_entry(bytes, EntryLimits{});
        REQUIRE(e);
        verified.push_back(*e);
      }
      std::vector<const SignedEntry*> refs;
      for (const SignedEntry& e : verified) refs.push_back(&e);
      const IngestBatch batch{1, entries->push, refs};
      REQUIRE(to.ingester.ingest(std::span(&batch, 1), now));
    } else if (const auto* proof = std::get_if<ForkProofMsg>(&m)) {
      auto decoded = decode_fork_proof(proof->proof, EntryLimits{});
      REQUIRE(decoded);
      if (to.store.add_fork_proof(decoded->author(), proof->proof))
        to.replicator.on_fork_proof(proof->proof, 1);
    } else {
      REQUIRE(to.replicator.on_message(1, m, now));
    }
  }
};

// F's log: #1, then two different #2 (each chained to #1), and a #3 chained to the first #2.
struct ForkedLog {
  Identity f = seeded_identity(120);
  std::vector<SignedEntry> log = make_log(f, 3, "first history");
  SignedEntry other_2 = make_entry(f, 2, log[0].id(), Bytes{'o', 't', 'h', 'e', 'r'});
  PublicKey author() const { return f.public_key(); }
};

TEST_CASE("equal seqs with different head ids in the clocks make a fork proof at both ends",
          "[fork][replicator]") {
  ForkedLog f;
  Pair pair(GossipVersion::v2);
  pair.x.publish(f.log[0]);
  pair.x.publish(f.log[1]);
  pair.y.publish(f.log[0]);
  pair.y.publish(f.other_2);
  pair.connect(f.author());
  pair.settle();
  CHECK(pair.x.store.frozen(f.author()));
  CHECK(pair.y.store.frozen(f.author()));
  CHECK(pair.x.replicator.stats().head_conflicts == 1);
  CHECK(pair.y.replicator.stats().head_conflicts == 1);
  // Each kept its own #2; neither log grew.
  CHECK(pair.x.store.head(f.author()).id == f.log[1].id());
  CHECK(pair.y.store.head(f.author()).id == f.other_2.id());
}

TEST_CASE("version 1 clocks cannot show an equal-seq fork; the next entry then finds it",
          "[fork][replicator]") {
  ForkedLog f;
  Pair pair(GossipVersion::v1);
  pair.x.publish(f.log[0]);
  pair.x.publish(f.log[1]);
  pair.y.publish(f.log[0]);
  pair.y.publish(f.other_2);
  pair.connect(f.author());
  pair.settle();
  // What every node did before head ids: both clocks say "F at 2", nothing is exchanged.
  CHECK_FALSE(pair.x.store.frozen(f.author()));
  CHECK_FALSE(pair.y.store.frozen(f.author()));

  // F's #3 (on the first history) reaches X and is pushed to Y, where its prev disagrees:
  // Y asks X for its #2 instead of grafting #3 again and again.
  pair.x.publish(f.log[2]);
  pair.settle();
  CHECK(pair.y.store.frozen(f.author()));
  CHECK(pair.x.store.frozen(f.author()));
  CHECK(pair.y.replicator.stats().mismatch_grafts == 1);
  CHECK(pair.y.grafts_sent == 1);
  CHECK(pair.y.store.length(f.author()) == 2);  // #3 chains to the other #2: never stored
}

TEST_CASE("a node behind on the other history finds the fork from the first entry it gets",
          "[fork][replicator]") {
  ForkedLog f;
  Pair pair(GossipVersion::v2);
  for (const SignedEntry& e : f.log) pair.x.publish(e);
  pair.y.publish(f.log[0]);
  pair.y.publish(f.other_2);
  pair.connect(f.author());
  pair.settle();
  CHECK(pair.y.store.frozen(f.author()));
  CHECK(pair.x.store.frozen(f.author()));
  CHECK(pair.y.replicator.stats().mismatch_grafts == 1);
}

TEST_CASE("a mismatch graft is asked once per head: a broken log cannot keep a node asking",
          "[fork][replicator]") {
  ForkedLog f;
  MemoryStore store;
  Replicator r(ReplicatorConfig{}, store, [](const PublicKey&) { return true; });
  r.on_connected(1, ClockMsg{true, {}}, 0);
  REQUIRE(r.on_message(1, ClockMsg{true, {}}, 0));
  (void)r.take_outgoing();
  const LogHead head{2, f.other_2.id()};
  r.on_prev_mismatch(1, f.author(), head, 10);
  r.on_prev_mismatch(1, f.author(), head, 20);
  auto out = r.take_outgoing();
  REQUIRE(out.size() == 1);
  const auto* graft = std::get_if<GraftMsg>(&out[0].second);
  REQUIRE(graft);
  CHECK(graft->author == f.author());
  CHECK(graft->from_seq == 2);  // the seq where the two histories differ, not head + 1
  // A head that moved on is a new question.
  r.on_prev_mismatch(1, f.author(), LogHead{3, f.log[2].id()}, 30);
  CHECK(r.take_outgoing().size() == 1);
}

TEST_CASE("the version-2 clock example of docs/protocol.md", "[fork][gossip][codec][vector]") {
  // The test vectors' author (seed 00 01 ... 1f) at seq 2, whose entry there is vector 2.
  const auto author = PublicKey::from_hex(
      "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8");
  const auto id =
      Hash::from_hex("5080d73408446470490c54dc55599708645ff3e5bae467e18bbbb4d9c08c3f53");
  REQUIRE(author);
  REQUIRE(id);
  const Bytes expected = test::hex_bytes(
      "0107000100000000000000"
      "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
      "0200000000000000"
      "5080d73408446470490c54dc55599708645ff3e5bae467e18bbbb4d9c08c3f53");
  CHECK(encode_gossip(ClockMsg{false, {{*author, 2, *id}}}, GossipVersion::v2) == expected);
  CHECK(expected.size() == 83);
}

TEST_CASE("gossip version 2 clocks and have notes carry head ids; version 1 drops them",
          "[fork][gossip][codec]") {
  ForkedLog f;
  const PublicKey other = seeded_identity(121).public_key();
  const ClockMsg clock{false, {{f.author(), 2, f.log[1].id()}, {other, 0}}};
  const Bytes v2 = encode_gossip(clock, GossipVersion::v2);
  CHECK(v2.size() == 1 + 1 + 1 + 8 + 72 * 2);
  CHECK(v2[1] == 7);
  auto back = decode_gossip(v2, GossipLimits{});
  REQUIRE(back);
  CHECK(std::get<ClockMsg>(*back) == clock);

  const Bytes v1 = encode_gossip(clock, GossipVersion::v1);
  CHECK(v1.size() == 1 + 1 + 1 + 8 + 40 * 2);
  auto old = decode_gossip(v1, GossipLimits{});
  REQUIRE(old);
  CHECK_FALSE(std::get<ClockMsg>(*old).heads[0].head_id);

  const HaveMsg have{{{f.author(), 2, f.log[1].id()}}};
  const Bytes have_v2 = encode_gossip(have, GossipVersion::v2);
  CHECK(have_v2[1] == 8);
  auto have_back = decode_gossip(have_v2, GossipLimits{});
  REQUIRE(have_back);
  CHECK(std::get<HaveMsg>(*have_back) == have);

  // An id of zeros says nothing; an id for seq 0 is not canonical.
  Bytes unsaid = encode_gossip(ClockMsg{false, {{f.author(), 2}}}, GossipVersion::v2);
  auto unsaid_back = decode_gossip(unsaid, GossipLimits{});
  REQUIRE(unsaid_back);
  CHECK_FALSE(std::get<ClockMsg>(*unsaid_back).heads[0].head_id);
  Bytes bad = encode_gossip(ClockMsg{false, {{other, 0}}}, GossipVersion::v2);
  bad.back() = 1;  // the last byte of the seq-0 entry's id
  auto refused = decode_gossip(bad, GossipLimits{});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "not_canonical");
  // A count the remaining bytes cannot hold at 72 bytes an entry.
  Bytes short_clock = encode_gossip(clock, GossipVersion::v2);
  short_clock.resize(short_clock.size() - 1);
  auto truncated = decode_gossip(short_clock, GossipLimits{});
  REQUIRE_FALSE(truncated);
  CHECK(truncated.error().code == "truncated");
}

}  // namespace
}  // namespace ifex
