// The figures of one run, computed from the Metrics and the federation as it stands at the end,
// and their text and JSON forms. Only simulated quantities: the same seed gives the same bytes.
//
// Definitions (docs/simulator.md, "Figures"):
//  - an alert's targets: the honest nodes connected to its publisher at the end of the run
//    through links between honest, unblocked nodes (the publisher excluded);
//  - delivery ratio: targets that stored the alert / targets, over the measured alerts;
//  - time to full delivery: from the publish until the last target stored it; per node: until
//    each target stored it;
//  - copies per node: copies of the alert the targets received from peers, per target that
//    received it (1.0 is no redundancy);
//  - bytes per alert: encoded gossip bytes sent by honest nodes, all message kinds, over the run,
//    per alert published;
//  - fork proof: from the equivocation until every honest node connected to the equivocator
//    holds a proof.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/sim/metrics.hpp"
#include "protocol/sim/scenario.hpp"
#include "protocol/sim/topology.hpp"

namespace ifex::sim {

// Roster scenarios (docs/simulator.md, "Roster changes"): what each node computed at the end
// from the roster entries it held, compared across nodes.
struct RosterFigure {
  bool enabled = false;
  std::uint64_t nodes = 0;  // nodes computing the roster (the genesis's and joiners)
  std::uint64_t genesis_members = 0;
  std::uint64_t genesis_threshold = 0;
  std::uint64_t conflicts = 0;  // proposals made at once against the genesis
  std::uint64_t proposals = 0;  // signed, conflicts included
  std::uint64_t approvals = 0;  // signed
  // The first node's result (every node's, when they agree).
  std::uint64_t applied = 0, stale = 0, pending = 0;
  std::uint64_t members = 0, threshold = 0, revoked = 0;
  // Slots whose applied change had a rival made for the same slot, signed by at least K then.
  std::uint64_t contested_slots = 0;
  // Nodes that differ from the first in the roster entries held by accepted authors (members,
  // revoked keys up to their last valid seq), or in the computed state (any part).
  std::uint64_t held_mismatch = 0;
  std::uint64_t state_mismatch = 0;
  // The same, part by part (StatePart: roster, applied history, pending set, signatures).
  std::array<std::uint64_t, 4> part_mismatch{};
  // Nodes that differ from the first in the entries of other authors (a removed member's
  // entries that reached a node after the removal took effect there are refused there).
  std::uint64_t other_mismatch = 0;
  // Refreshes where a node's applied history did not extend its previous one, and the nodes
  // that saw at least one.
  std::uint64_t rewrites = 0, nodes_rewritten = 0;
  std::uint64_t rewrites_by_revocation = 0;  // the rewritten slot now holds a revocation
  // Changes some node computed as in effect at some point that are not in the final history.
  std::uint64_t undone = 0;
  std::optional<std::uint64_t> last_signed_ms;  // the last proposal or approval
  // Per node: from the last roster entry signed until its computed state last changed.
  std::optional<std::uint64_t> converge_median_ms, converge_p99_ms, converge_max_ms;
  // Members, threshold, revocations, applied history and pending set agree, over the same
  // entries of accepted authors. (Signatures that do not count may differ: part_mismatch[3].)
  bool converged() const {
    return held_mismatch == 0 && part_mismatch[0] == 0 && part_mismatch[1] == 0 &&
           part_mismatch[2] == 0;
  }
};

// The federation at the end of a run.
struct FinalState {
  std::vector<Role> roles;
  std::vector<bool> honest;  // hub, members and relays, less equivocators
  std::vector<bool> blocked;
  std::vector<std::vector<std::uint32_t>> adjacent;  // over the links connected at the end
  std::uint64_t honest_links = 0;
  std::uint64_t sybil_links = 0;
  std::uint64_t forged_stored = 0;  // forged entries held by any node (must be 0)
  std::uint64_t real_verifications = 0;
  std::uint64_t cached_verdicts = 0;
  std::uint64_t entry_bytes = 0;  // encoded size of one alert entry
  RosterFigure roster;
};

struct ForkFigure {
  std::uint64_t reached = 0;
  std::uint64_t targets = 0;
  std::optional<std::uint64_t> everywhere_ms;  // nullopt: not every target got a proof
  // Behind a partition: from the heal until every target held a proof (0 if all did before).
  std::optional<std::uint64_t> after_heal_ms;
};

struct Report {
  std::string scenario;
  std::uint64_t seed = 0;
  std::uint64_t hub = 0, members = 0, relays = 0, sybils = 0;
  std::uint64_t honest_links = 0, sybil_links = 0;
  std::uint64_t simulated_ms = 0;
  std::uint64_t blocked_at_end = 0;

  std::uint64_t alerts_published = 0;
  std::uint64_t alerts_measured = 0;
  std::uint64_t alerts_without_targets = 0;  // the publisher ended cut off from everyone
  std::uint64_t deliveries_expected = 0;
  std::uint64_t deliveries_made = 0;
  std::uint64_t alerts_fully_delivered = 0;
  // Time to full delivery, ms; nullopt where the rank falls on an alert not fully delivered.
  std::optional<std::uint64_t> median_ms, p99_ms, max_ms;
  // When the last target stored the last of the measured alerts (ms of simulated time);
  // nullopt if one never did.
  std::optional<std::uint64_t> settled_ms;
  // Time from the publish to each target's store, over every (target, alert) pair.
  std::optional<std::uint64_t> node_median_ms, node_p99_ms;
  double copies_per_node = 0;

  std::array<std::uint64_t, message_types> bytes_by_type{};
  std::array<std::uint64_t, message_types> messages_by_type{};
  std::uint64_t bytes_total = 0;
  std::uint64_t bytes_to_sybils = 0;
  std::uint64_t entry_bytes = 0;

  std::vector<ForkFigure> forks;
  RosterFigure roster;

  std::uint64_t forged_sent = 0, forged_rejected = 0, forged_stored = 0;
  std::uint64_t entries_refused = 0;
  std::uint64_t real_verifications = 0, cached_verdicts = 0;
  std::uint64_t failures = 0;
  std::vector<std::string> first_failures;

  double delivery_ratio() const;
  double bytes_per_alert() const;
};

Report make_report(const Scenario& scenario, const FinalState& state, const Metrics& metrics);
std::string format_text(const Report& report);
// One line of JSON.
std::string format_json(const Report& report);

}  // namespace ifex::sim
