// The simulator's parts on their own: scenario files, the verification cache, a node's store,
// the link model and the portable random draws.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

#include "protocol/sim/alert_payload.hpp"
#include "protocol/sim/entry_pool.hpp"
#include "protocol/sim/link.hpp"
#include "protocol/sim/node_store.hpp"
#include "protocol/sim/random.hpp"
#include "protocol/sim/scenario_file.hpp"
#include "tests/protocol/protocol_fixtures.hpp"

namespace ifex::sim {
namespace {

using test::make_entry;
using test::make_log;
using test::seeded_identity;

// A log of alerts, as the simulation publishes them.
std::vector<SignedEntry> alert_log(const Identity& id, std::size_t length) {
  std::vector<SignedEntry> log;
  Hash prev;
  for (std::uint64_t seq = 1; seq <= length; ++seq) {
    log.push_back(make_entry(id, seq, prev, alert_payload("Alert " + std::to_string(seq), 300)));
    prev = log.back().id();
  }
  return log;
}

std::string parse_error(const std::string& text) {
  auto s = parse_scenario(text, "test");
  return s ? "" : s.error().message;
}

TEST_CASE("every shipped scenario file parses", "[sim][scenario]") {
  const std::filesystem::path dir = std::filesystem::path(IFEX_SOURCE_DIR) / "tests/sim/scenarios";
  std::set<std::string> names;
  for (const auto& file : std::filesystem::directory_iterator(dir)) {
    if (file.path().extension() != ".toml") continue;
    CAPTURE(file.path().string());
    auto s = load_scenario(file.path());
    REQUIRE(s);
    CHECK(s->name == file.path().stem().string());
    CHECK(s->duration_ms > s->publish.start_ms);
    names.insert(s->name);
  }
  for (const char* name : {"hub_blocked", "members_blocked", "partition_heals", "sybil_eclipse",
                           "equivocation", "baseline_80", "large_10000"})
    CHECK(names.contains(name));
}

TEST_CASE("a scenario file sets what it names and keeps the defaults", "[sim][scenario]") {
  auto s = parse_scenario(R"(
name = "t"
seed = 7
duration_s = 90.5
[nodes]
members = 12
relays = 3
[links]
latency_ms = [10, 20]
loss = 0.02
[publish]
count = 5
[replicator]
graft_timeout_ms = 250
graft_fanout = 2
min_eager_peers = 1
prune_after_duplicates = 1
revert_needless_grafts = false
silent_peer_entries = 0
silent_peer_ms = 5000
[[events]]
type = "block"
at_s = 10
until_s = 20
target = "members"
fraction = 0.25
[[events]]
type = "partition"
at_s = 30
heal_s = 40
[[events]]
type = "sybil"
count = 2
links = 3
forge_at_s = 5
[[events]]
type = "equivocate"
at_s = 50
)",
                          "test");
  REQUIRE(s);
  CHECK(s->seed == 7);
  CHECK(s->duration_ms == 90'500);
  CHECK(s->members == 12);
  CHECK(s->relays == 3);
  CHECK(s->hub);
  CHECK(s->links.latency_ms == Range{10, 20});
  CHECK(s->links.loss == 0.02);
  CHECK(s->links.rto_ms == Range{200, 1000});  // default
  CHECK(s->publish.count == 5);
  CHECK(s->replicator.config.graft_timeout_ms == 250);
  CHECK(s->replicator.config.graft_retry_ms == ReplicatorConfig{}.graft_retry_ms);
  CHECK(s->replicator.config.graft_fanout == 2);
  CHECK(s->replicator.config.min_eager_peers == 1);
  CHECK(s->replicator.config.prune_after_duplicates == 1);
  CHECK_FALSE(s->replicator.config.revert_needless_grafts);
  CHECK(s->replicator.config.silent_peer_entries == 0);
  CHECK(s->replicator.config.silent_peer_ms == 5000);
  REQUIRE(s->events.size() == 4);
  const auto& block = std::get<BlockEvent>(s->events[0]);
  CHECK(block.at_ms == 10'000);
  CHECK(block.until_ms == 20'000);
  CHECK(block.target == Target::members);
  CHECK(block.fraction == 0.25);
  CHECK(std::get<PartitionEvent>(s->events[1]).heal_ms == 40'000);
  CHECK(std::get<SybilEvent>(s->events[2]).forge_at_ms == 5'000);
  CHECK(std::get<EquivocateEvent>(s->events[3]).at_ms == 50'000);
}

TEST_CASE("scenario files: typos, wrong types and bad ranges are errors", "[sim][scenario]") {
  CHECK(parse_error("duration_s = 10\n[nodes]\nmembres = 3\n").find("nodes.membres") !=
        std::string::npos);
  CHECK(parse_error("duration_s = 10\n[links]\nloss = \"high\"\n").find("links.loss") !=
        std::string::npos);
  CHECK(
      parse_error("duration_s = 10\n[links]\nlatency_ms = [300, 50]\n").find("links.latency_ms") !=
      std::string::npos);
  CHECK(parse_error("duration_s = 10\n[links]\nloss = 0.9\n").find("links.loss") !=
        std::string::npos);
  CHECK(parse_error("duration_s = 10\n[[events]]\ntype = \"flood\"\n").find("events[0].type") !=
        std::string::npos);
  CHECK(
      parse_error("duration_s = 10\n[[events]]\ntype = \"partition\"\nat_s = 5\n").find("heal_s") !=
      std::string::npos);
  CHECK(parse_error("duration_s = 10\n[publish]\ncount = 2\nwarmup = 3\n").find("warmup") !=
        std::string::npos);
  CHECK(parse_error("duration_s = 10\n[replicator]\ngraft_fanout = 0\n")
            .find("replicator.graft_fanout") != std::string::npos);
  CHECK_FALSE(parse_error("duration_s = = 10\n").empty());
  CHECK(parse_error("duration_s = 0\n").find("duration_s") != std::string::npos);
}

TEST_CASE("with_node_count scales members and relays, keeping the hub", "[sim][scenario]") {
  Scenario s;
  s.members = 80;
  s.relays = 20;
  Scenario big = with_node_count(s, 1001);
  CHECK(big.hub);
  CHECK(big.members == 800);
  CHECK(big.relays == 200);
  Scenario small = with_node_count(s, 4);
  CHECK(small.members + small.relays == 3);
  CHECK(small.members >= 2);
}

TEST_CASE("the verification cache verifies every new encoding and rejects altered ones",
          "[sim][pool]") {
  EntryPool pool;
  const auto log = alert_log(seeded_identity(90), 2);
  const PooledEntry* first = pool.verify(log[0].bytes());
  REQUIRE(first);
  CHECK(first->entry.id() == log[0].id());
  CHECK(pool.verify(log[0].bytes()) == first);  // the same bytes: the cached verdict
  CHECK(pool.real_verifications() == 1);
  CHECK(pool.cached_verdicts() == 1);

  Bytes forged = log[1].bytes();
  forged[entry_header_size] ^= 0x01;
  CHECK_FALSE(pool.verify(forged));
  CHECK_FALSE(pool.verify(forged));  // and the verdict is remembered
  CHECK(pool.real_verifications() == 2);

  // An entry signed in the simulation is still verified on its first receipt.
  const PooledEntry* own = pool.add_signed(log[1], 3);
  CHECK(own->alert == 3);
  CHECK(pool.verify(log[1].bytes()) == own);
  CHECK(pool.real_verifications() == 3);
  CHECK(pool.find(log[1].id()) == own);

  // As a node's ingest: a well-signed entry that is not an alert is refused too.
  CHECK_FALSE(pool.verify(make_log(seeded_identity(90), 1, "not an alert")[0].bytes()));
  // A reserved kind is carried without reading its payload, as a node's ingest does.
  const SignedEntry reserved = make_entry(seeded_identity(92), 1, Hash{},
                                          Bytes{'o', 'p', 'a', 'q', 'u', 'e'}, EntryKind::update);
  const PooledEntry* carried = pool.verify(reserved.bytes());
  REQUIRE(carried);
  CHECK(carried->entry.kind() == EntryKind::update);
  CHECK(carried->alert == -1);
  CHECK(alert_payload("x", 1024).size() == 1024);

  auto proof = make_fork_proof(make_entry(seeded_identity(91), 1, Hash{}, Bytes{'a'}),
                               make_entry(seeded_identity(91), 1, Hash{}, Bytes{'b'}));
  REQUIRE(proof);
  Bytes proof_bytes = encode_fork_proof(*proof);
  CHECK(pool.verify_fork_proof(proof_bytes) == seeded_identity(91).public_key());
  proof_bytes.back() ^= 0x01;
  CHECK_FALSE(pool.verify_fork_proof(proof_bytes));
}

TEST_CASE("a node's store follows the real store's append rules", "[sim][store]") {
  EntryPool pool;
  NodeStore store;
  const Identity id = seeded_identity(92);
  const auto log = make_log(id, 3);
  auto pooled = [&](const SignedEntry& e) { return pool.add_signed(e, -1); };

  CHECK(store.append(pooled(log[1])) == AppendOutcome::gap);
  CHECK(store.append(pooled(log[0])) == AppendOutcome::stored);
  CHECK(store.append(pooled(log[0])) == AppendOutcome::duplicate);
  CHECK(store.append(pooled(log[1])) == AppendOutcome::stored);
  const SignedEntry other = make_entry(id, 2, log[0].id(), Bytes{'x'});
  CHECK(store.append(pooled(other)) == AppendOutcome::fork);
  const SignedEntry stray = make_entry(id, 3, other.id(), Bytes{'y'});
  CHECK(store.append(pooled(stray)) == AppendOutcome::prev_mismatch);
  CHECK(store.head(id.public_key()).seq == 2);
  CHECK(store.read(id.public_key(), 1, 10, 1 << 20) ==
        std::vector<Bytes>{log[0].bytes(), log[1].bytes()});
  CHECK(store.read(id.public_key(), 1, 10, 1).size() == 1);  // at least one entry

  CHECK(store.add_fork_proof(id.public_key(), Bytes{1}));
  CHECK_FALSE(store.add_fork_proof(id.public_key(), Bytes{2}));
  CHECK(store.append(pooled(log[1])) == AppendOutcome::duplicate);
  CHECK(store.append(pooled(log[2])) == AppendOutcome::frozen);
}

TEST_CASE("a node's clock lists the roster and what it holds, in key order", "[sim][store]") {
  EntryPool pool;
  NodeStore store;
  const auto a = make_log(seeded_identity(93), 2);
  const auto b = make_log(seeded_identity(94), 1);
  for (const auto& e : a) REQUIRE(store.append(pool.add_signed(e, -1)) == AppendOutcome::stored);
  REQUIRE(store.append(pool.add_signed(b[0], -1)) == AppendOutcome::stored);
  const std::set<PublicKey> roster{seeded_identity(93).public_key(),
                                   seeded_identity(95).public_key()};
  ClockMsg member = store.clock(&roster, false);
  CHECK_FALSE(member.accepts_any_author);
  std::map<PublicKey, std::uint64_t> heads;
  for (const auto& h : member.heads) heads[h.author] = h.seq;
  CHECK(heads == std::map<PublicKey, std::uint64_t>{{seeded_identity(93).public_key(), 2},
                                                    {seeded_identity(94).public_key(), 1},
                                                    {seeded_identity(95).public_key(), 0}});
  for (std::size_t i = 1; i < member.heads.size(); ++i)
    CHECK(member.heads[i - 1].author < member.heads[i].author);
  ClockMsg relay = store.clock(nullptr, true);
  CHECK(relay.accepts_any_author);
  CHECK(relay.heads.size() == 2);
}

TEST_CASE("a link delivers in order, after serialisation, latency and retransmissions",
          "[sim][link]") {
  Rng rng(1);
  Link link;
  link.latency_us = 100'000;
  link.rto_us = 300'000;
  link.open(0);
  // 1000 bytes at 100 kB/s: 10 ms on the wire, then 100 ms of latency.
  CHECK(link.send(0, 1000, 0, 0.0, 100'000, rng) == 110'000);
  // The second waits for the first to leave.
  CHECK(link.send(0, 1000, 0, 0.0, 100'000, rng) == 120'000);
  CHECK(link.in_flight[0] == 2000);
  // The other direction has its own pipe.
  CHECK(link.send(1, 1000, 0, 0.0, 100'000, rng) == 110'000);

  // A message that needs a retransmission arrives one RTO late (more if that one is lost
  // too, the RTO doubling), and holds back whatever is sent behind it.
  bool some_late = false;
  for (int i = 0; i < 50; ++i) {
    Link fresh = link;
    fresh.open(0);
    const std::uint64_t first = fresh.send(0, 100, 0, 0.4999, 1'000'000'000, rng);
    CHECK((first - 100'001) % 300'000 == 0);  // 1 us on the wire, latency, whole RTOs
    some_late |= first > 100'001;
    CHECK(fresh.send(0, 100, 0, 0.0, 1'000'000'000, rng) >= first);
  }
  CHECK(some_late);
}

TEST_CASE("the portable draws stay in range and follow the seed", "[sim][random]") {
  Rng a(42), b(42);
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t x = uniform(a, 3, 9);
    CHECK(x >= 3);
    CHECK(x <= 9);
    CHECK(x == uniform(b, 3, 9));
    const double u = unit(a);
    CHECK(u >= 0.0);
    CHECK(u < 1.0);
    CHECK(u == unit(b));
  }
  CHECK(uniform(a, 5, 5) == 5);
  // Pinned: std::mt19937_64's output is fixed by the standard, and these draws are ours, so a
  // seed gives the same run with any standard library.
  Rng c(7);
  CHECK(uniform(c, 0, 999) == 15);
  CHECK(uniform(c, 0, 999) == 250);
  CHECK(uniform(c, 0, 999) == 878);
}

}  // namespace
}  // namespace ifex::sim
