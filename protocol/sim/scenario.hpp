// A simulator scenario: the federation's shape, its links, what is published and what goes wrong
// when. Times are milliseconds of simulated time from the start of the run. The file format that
// fills it is in docs/simulator.md (parsed by scenario_file.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "protocol/replicator.hpp"

namespace ifex::sim {

struct Range {
  std::uint64_t min = 0;
  std::uint64_t max = 0;
  friend bool operator==(const Range&, const Range&) = default;
};

struct LinkSettings {
  Range latency_ms{50, 300};  // one way, drawn once per link
  double loss = 0;            // chance that a message needs a TCP retransmission
  Range rto_ms{200, 1000};    // the retransmission timeout, longer on slower links
  std::uint64_t bandwidth_bytes_per_s = 1'000'000;  // per direction
  Range degree{4, 8};              // links of each member and relay among members and relays
  std::uint64_t connect_rtts = 4;  // TCP, WebSocket upgrade, the handshake's two before the clocks
  double failure_mtbf_s = 0;       // mean time between random closes of a link; 0: never
  std::uint64_t window_bytes = 1 << 20;  // not yet delivered before sync waits (the core's mark)
};

struct ReconnectSettings {
  bool enabled = true;
  Range backoff_ms{500, 30'000};  // the dialer's: doubles from min to max, times 0.5-1
};

struct PublishSettings {
  std::uint64_t start_ms = 10'000;
  std::uint64_t count = 100;
  double interval_ms = 1000;  // mean gap (a Poisson process)
  std::uint64_t payload_bytes = 1024;
  std::uint64_t warmup = 0;  // first alerts left out of the figures while the tree settles
};

struct ReplicatorSettings {
  // As the node's core sets it: a message budget of the frame limit less 1 KiB.
  ReplicatorConfig config{.max_message_bytes = 127 * 1024};
  std::uint64_t tick_ms = 50;            // as the node's core
  std::size_t pending_entries = 10'000;  // as the node's core
  // false: a what-if, not the node's behaviour. Duplicates are reported as not pushed, so no
  // link is ever pruned and every entry floods every link: the delivery time the links alone
  // allow, at the cost of a copy per link.
  bool prune = true;
  // The gossip version every link speaks (1: clocks and have notes without head ids, as nodes
  // before version 2; 2: clocks in one message, as before version 3; a what-if for mixed
  // federations).
  GossipVersion gossip_version = newest_gossip_version;
};

// Governance under partial propagation (docs/simulator.md, "Roster changes"): a genesis names
// the first members; the others (joiners) are nodes it does not name. From start_ms on, several
// members propose at once against the genesis (conflicting changes), then members approve at
// random and propose further changes against their own view, until start_ms + window_ms.
struct RosterSettings {
  bool enabled = false;
  std::uint64_t joiners = 4;    // members of the topology the genesis does not name
  std::uint64_t threshold = 3;  // the genesis's K
  std::uint64_t start_ms = 10'000;
  std::uint64_t window_ms = 60'000;
  std::uint64_t conflicts = 6;        // proposals made at once against the genesis (base 0)
  std::uint64_t proposals = 20;       // later proposals, Poisson over the window
  double approve_interval_ms = 4000;  // mean gap between one member's approvals
  std::uint64_t refresh_ms = 100;     // the node's store poll, where it reruns the rule
};

enum class Target { hub, members, relays };

// Cuts every link of the chosen nodes (a censor blocking them) until `until_ms`, if set.
struct BlockEvent {
  std::uint64_t at_ms = 0;
  std::optional<std::uint64_t> until_ms;
  Target target = Target::hub;
  double fraction = 1;  // of the members or relays not yet blocked
};

// Splits the honest nodes in two groups; links between them are cut until `heal_ms`.
struct PartitionEvent {
  std::uint64_t at_ms = 0;
  std::uint64_t heal_ms = 0;
  double fraction = 0.5;  // in the second group
};

// Relays that dial `links` honest nodes each, claim to hold nothing and drop everything.
struct SybilEvent {
  std::uint64_t at_ms = 0;
  std::uint64_t count = 10;
  std::uint64_t links = 10;
  std::optional<std::uint64_t> forge_at_ms;  // then each sends every peer a forged entry
};

// A member signs two entries with one seq and sends each to half of its peers. Behind a
// partition instead: the member publishes one as usual on its side, and a censor holding its
// stolen key hands the other to a node on the far side, where it spreads until the heal.
struct EquivocateEvent {
  std::uint64_t at_ms = 0;
  bool behind_partition = false;
};

using ScenarioEvent = std::variant<BlockEvent, PartitionEvent, SybilEvent, EquivocateEvent>;

struct Scenario {
  std::string name = "unnamed";
  std::uint64_t seed = 1;
  std::uint64_t duration_ms = 60'000;
  bool hub = true;
  std::uint64_t members = 20;
  std::uint64_t relays = 0;
  LinkSettings links;
  ReconnectSettings reconnect;
  PublishSettings publish;
  ReplicatorSettings replicator;
  RosterSettings roster;
  std::vector<ScenarioEvent> events;
};

// The same federation with `total` honest nodes: the hub, and members and relays in the
// scenario's proportions. REQUIRES: total >= 2 + (hub ? 1 : 0).
Scenario with_node_count(Scenario scenario, std::uint64_t total);

}  // namespace ifex::sim
