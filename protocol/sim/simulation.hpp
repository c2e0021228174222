// The simulated federation: the real Replicator of every honest node (SimNode), links that
// carry encoded gossip messages with latency, retransmissions and bandwidth (Link), a dialer
// with backoff, and the scenario's publishing and adversities, all on one discrete-event queue
// in simulated time. Everything random comes from one std::mt19937_64 seeded by the scenario:
// the same scenario and seed give the same run, event for event.
//
// No threads, no sockets, no clock: run() is as fast as the host allows.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <vector>

#include "keys/bytes.hpp"
#include "keys/identity.hpp"
#include "protocol/roster_change.hpp"
#include "protocol/sim/entry_pool.hpp"
#include "protocol/sim/event_queue.hpp"
#include "protocol/sim/link.hpp"
#include "protocol/sim/metrics.hpp"
#include "protocol/sim/random.hpp"
#include "protocol/sim/report.hpp"
#include "protocol/sim/scenario.hpp"
#include "protocol/sim/sim_node.hpp"
#include "protocol/sim/topology.hpp"

namespace ifex::sim {

class Simulation {
 public:
  explicit Simulation(Scenario scenario);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // Runs to the scenario's duration. REQUIRES: called once.
  void run();
  Report report() const;

  // Inspection, for tests.
  const Scenario& scenario() const { return scenario_; }
  std::size_t size() const { return topology_.roles.size(); }
  Role role(std::uint32_t i) const { return topology_.roles[i]; }
  const SimNode* node(std::uint32_t i) const { return nodes_[i].get(); }  // null for a Sybil
  bool honest(std::uint32_t i) const { return honest_[i]; }
  bool blocked(std::uint32_t i) const { return blocked_[i]; }
  const Metrics& metrics() const { return metrics_; }
  const std::vector<Bytes>& forged_entries() const { return forged_; }

 private:
  std::uint64_t now_ms() const { return now_us_ / 1000; }
  Identity identity_of(std::uint32_t member) const;
  SignedEntry sign_next(std::uint32_t member, Bytes payload,
                        EntryKind kind = EntryKind::alert) const;

  void schedule(std::uint64_t at_us, EventKind kind, std::uint32_t target, std::uint32_t side = 0,
                std::uint32_t generation = 0, Bytes bytes = {});
  void handle(Event& e);

  // Links and the dialer.
  bool allowed(std::uint32_t l) const;
  void dial_after(std::uint32_t l, std::uint64_t delay_us);
  void on_dial(std::uint32_t l, std::uint32_t attempt);
  void on_handshake_done(std::uint32_t l, std::uint32_t attempt);
  void connect(std::uint32_t l);
  void disconnect(std::uint32_t l);
  std::uint64_t backoff_us(unsigned failures);

  // Messages.
  void send(std::uint32_t l, int side, const GossipMessage& message);
  void deliver(Event& e);
  void flush(std::uint32_t v);
  void pump(std::uint32_t l, int side);
  void pump_all(std::uint32_t v);

  // The scenario.
  void tick(std::uint32_t v);
  // Schedules v's next tick if its timers have work and none is scheduled.
  void wake(std::uint32_t v);
  void publish();
  void action(std::uint32_t index, std::uint32_t phase);
  void block(std::uint32_t index, const BlockEvent& e);
  void partition(const PartitionEvent& e);
  void forge(std::uint32_t index, const SybilEvent& e);
  void equivocate();
  void equivocate_behind_partition();

  // Roster scenarios (simulation_roster.cpp).
  void setup_roster();
  void roster_step(std::uint32_t target, std::uint32_t step);
  // After v stored roster entries: reruns the rule at v's next store poll.
  void roster_stored(std::uint32_t v);
  void refresh_now(std::uint32_t v);
  void sign_roster(std::uint32_t v, const RosterChange& change);
  void propose_conflict(std::uint32_t index);
  void propose_later();
  void approve(std::uint32_t v);
  RosterFigure roster_figure() const;

  Scenario scenario_;
  Rng rng_;
  Topology topology_;
  Metrics metrics_;
  EntryPool pool_;
  EventQueue queue_;
  std::uint64_t now_us_ = 0;

  std::vector<std::unique_ptr<SimNode>> nodes_;  // null for Sybils
  std::vector<Bytes> seeds_;                     // members' identity seeds (else empty)
  std::vector<PublicKey> keys_;                  // members' public keys
  std::shared_ptr<const std::set<PublicKey>> roster_;
  std::vector<std::uint64_t> tick_phase_us_;  // each node ticks at phase + k * tick period
  std::vector<bool> tick_scheduled_;
  std::vector<bool> honest_;
  std::vector<bool> blocked_;
  std::set<std::uint32_t> forked_;  // members whose key signed two histories: they publish no more
  std::vector<std::uint8_t> group_;  // partition side

  std::vector<Link> links_;
  std::vector<std::vector<std::uint32_t>> node_links_;  // per node, in link order
  // Per node: (link << 1 | side) of the links where its Replicator may have sync batches to
  // send (it got a clock or a graft there), so that pumping skips the idle ones.
  std::vector<std::set<std::uint64_t>> syncing_;

  std::uint64_t published_ = 0;
  std::vector<std::vector<std::uint32_t>> blocked_by_;  // per scenario event
  std::vector<Bytes> forged_;

  // Roster scenarios.
  struct Conflict {
    std::uint32_t proposer = 0;
    RosterProposal change;  // base and (for a revocation) the seq are set when it is made
  };
  const PooledEntry* genesis_ = nullptr;
  std::vector<std::uint32_t> governed_;  // member nodes: the genesis's, then the joiners
  std::vector<PublicKey> joiner_keys_;
  std::vector<Conflict> conflicts_;
  std::vector<std::set<Hash>> approved_;  // per node, the proposals it signed
  std::vector<bool> refresh_scheduled_;
  std::uint64_t proposals_signed_ = 0, approvals_signed_ = 0;
  std::optional<std::uint64_t> last_signed_us_;
};

}  // namespace ifex::sim
