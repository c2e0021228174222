// Small federations run to the end, asserting what must hold whatever the timing: every alert
// reaches every honest node still connected to its publisher; nothing forged is stored; a fork
// proof reaches every honest node; a seed replays byte for byte. No timing is asserted.
#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <string>

#include "protocol/sim/scenario_file.hpp"
#include "protocol/sim/simulation.hpp"

namespace ifex::sim {
namespace {

// 30 members, 4 relays and the hub on the issue's links (50-300 ms, 5 % retransmissions).
const std::string federation = R"(
name = "small"
seed = 1
duration_s = 100
[nodes]
members = 30
relays = 4
[links]
latency_ms = [50, 300]
loss = 0.05
degree = [3, 6]
[reconnect]
backoff_ms = [500, 5000]
[publish]
start_s = 5
count = 60
interval_ms = 700
)";

Scenario scenario(const std::string& events, std::uint64_t seed = 1) {
  auto s = parse_scenario(federation + events, "test");
  REQUIRE(s);
  s->seed = seed;
  return *s;
}

std::unique_ptr<Simulation> run(const Scenario& s) {
  auto sim = std::make_unique<Simulation>(s);
  sim->run();
  return sim;
}

// Every alert at every honest node connected to its publisher (the report's definition).
void check_full_delivery(const Simulation& sim, const Report& r) {
  CHECK(r.alerts_published == sim.scenario().publish.count);
  CHECK(r.deliveries_expected > 0);
  CHECK(r.deliveries_made == r.deliveries_expected);
  CHECK(r.alerts_fully_delivered + r.alerts_without_targets == r.alerts_measured);
  CHECK(r.failures == 0);
  for (const auto& f : r.first_failures) WARN(f);
}

TEST_CASE("without adversity every alert reaches every node", "[sim][invariant]") {
  for (std::uint64_t seed : {1, 2}) {
    CAPTURE(seed);
    auto sim = run(scenario("", seed));
    const Report r = sim->report();
    check_full_delivery(*sim, r);
    CHECK(r.deliveries_expected == r.alerts_measured * (r.hub + r.members + r.relays - 1));
    // The stores agree: every honest node holds every author's log to the same head.
    const NodeStore& reference = sim->node(0)->store();  // the hub
    CHECK(reference.clock(nullptr, true).heads.size() > 10);
    for (std::uint32_t i = 1; i < sim->size(); ++i)
      for (const auto& h : reference.clock(nullptr, true).heads)
        CHECK(sim->node(i)->store().head(h.author) == reference.head(h.author));
  }
}

TEST_CASE("with the hub and 10 % of members blocked, every connected node gets everything",
          "[sim][invariant]") {
  auto sim = run(scenario(R"(
[[events]]
type = "block"
at_s = 20
target = "hub"
[[events]]
type = "block"
at_s = 20
target = "members"
fraction = 0.1
)"));
  const Report r = sim->report();
  CHECK(r.blocked_at_end == 4);  // the hub and 3 of 30 members
  check_full_delivery(*sim, r);
}

TEST_CASE("a blocked node that comes back catches up", "[sim][invariant]") {
  auto sim = run(scenario(R"(
[[events]]
type = "block"
at_s = 10
until_s = 40
target = "members"
fraction = 0.2
)"));
  const Report r = sim->report();
  CHECK(r.blocked_at_end == 0);
  CHECK(r.alerts_without_targets == 0);
  check_full_delivery(*sim, r);
}

TEST_CASE("a partition that heals converges", "[sim][invariant]") {
  auto sim = run(scenario(R"(
[[events]]
type = "partition"
at_s = 10
heal_s = 45
)"));
  const Report r = sim->report();
  CHECK(r.alerts_without_targets == 0);
  check_full_delivery(*sim, r);
}

TEST_CASE("Sybils that drop everything eclipse no one, and forged entries are never stored",
          "[sim][invariant]") {
  auto sim = run(scenario(R"(
[[events]]
type = "sybil"
count = 10
links = 8
forge_at_s = 30
)"));
  const Report r = sim->report();
  check_full_delivery(*sim, r);
  CHECK(r.sybils == 10);
  CHECK(r.forged_sent > 0);
  CHECK(r.forged_rejected > 0);
  CHECK(r.forged_rejected <= r.forged_sent);
  CHECK(r.forged_stored == 0);
  // And directly: no store holds an entry with a forged entry's bytes.
  REQUIRE(sim->forged_entries().size() == 10);
  for (const Bytes& forged : sim->forged_entries()) {
    auto fields = decode_trusted_entry(forged, EntryLimits{});
    REQUIRE(fields);
    for (std::uint32_t i = 0; i < sim->size(); ++i) {
      if (!sim->node(i)) continue;
      const PooledEntry* held = sim->node(i)->store().at(fields->author(), fields->seq());
      if (held) CHECK(held->entry.bytes() != forged);
    }
  }
}

TEST_CASE("a fork proof reaches every honest node and freezes the log", "[sim][invariant]") {
  for (std::uint64_t seed : {1, 2}) {
    CAPTURE(seed);
    auto sim = run(scenario(R"(
[[events]]
type = "equivocate"
at_s = 30
)",
                            seed));
    const Report r = sim->report();
    check_full_delivery(*sim, r);
    REQUIRE(r.forks.size() == 1);
    CHECK(r.forks[0].targets == r.hub + r.members + r.relays - 1);
    CHECK(r.forks[0].reached == r.forks[0].targets);
    CHECK(r.forks[0].everywhere_ms.has_value());
    std::uint32_t equivocator = 0;
    for (std::uint32_t i = 0; i < sim->size(); ++i)
      if (!sim->honest(i)) equivocator = i;
    REQUIRE(sim->role(equivocator) == Role::member);
    const PublicKey author = sim->metrics().equivocations()[0].author;
    for (std::uint32_t i = 0; i < sim->size(); ++i)
      if (sim->honest(i)) CHECK(sim->node(i)->store().frozen(author));
  }
}

// The shipped scenario (80 members, 10 relays, the hub; half behind the partition): the one
// simulated-time bound here, the issue's "a proof at every node within 5 s of the heal". It is
// simulated time, the same on every machine, not a measurement of this one.
TEST_CASE("a fork fed to both sides of a partition is proven everywhere soon after the heal",
          "[sim][invariant][fork]") {
  auto loaded = load_scenario(std::filesystem::path(IFEX_SOURCE_DIR) /
                              "tests/sim/scenarios/equivocation_partition.toml");
  REQUIRE(loaded);
  for (std::uint64_t seed : {1, 2, 3, 4, 5}) {
    CAPTURE(seed);
    Scenario s = *loaded;
    s.seed = seed;
    auto sim = run(s);
    const Report r = sim->report();
    check_full_delivery(*sim, r);
    REQUIRE(r.forks.size() == 1);
    CHECK(r.forks[0].reached == r.forks[0].targets);
    REQUIRE(r.forks[0].after_heal_ms.has_value());
    CHECK(*r.forks[0].after_heal_ms <= 5000);
    const PublicKey author = sim->metrics().equivocations()[0].author;
    for (std::uint32_t i = 0; i < sim->size(); ++i)
      if (sim->honest(i)) CHECK(sim->node(i)->store().frozen(author));
  }
}

TEST_CASE("the same seed gives the same figures, byte for byte; another seed others",
          "[sim][determinism]") {
  const std::string adversity = R"(
[[events]]
type = "block"
at_s = 15
until_s = 30
target = "members"
fraction = 0.1
[[events]]
type = "sybil"
count = 4
links = 6
forge_at_s = 20
[[events]]
type = "equivocate"
at_s = 25
)";
  const Report a = run(scenario(adversity, 5))->report();
  const Report b = run(scenario(adversity, 5))->report();
  const Report c = run(scenario(adversity, 6))->report();
  CHECK(format_text(a) == format_text(b));
  CHECK(format_json(a) == format_json(b));
  CHECK(format_text(a) != format_text(c));
  CHECK(format_json(a) != format_json(c));
}

}  // namespace
}  // namespace ifex::sim
