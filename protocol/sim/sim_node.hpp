// One honest simulated node: the real Replicator and the node's own Ingester (protocol/
// ingester.hpp: append, hold gaps in PendingEntries and retry them, on a fork record the proof,
// freeze the log and pass the proof on) over an in-memory store. As the node's core does, it
// verifies every entry of a message first and rejects the whole message (and the peer) if one
// fails, and drops authors it does not carry. It sends nothing itself: the simulation drains
// replicator().take_outgoing(). With a RosterView (the roster scenarios) whom it carries is what
// the roster rule computes from the roster entries it holds, refreshed as a node's store poll
// refreshes its Membership.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "protocol/ingester.hpp"
#include "protocol/log_rules.hpp"
#include "protocol/replicator.hpp"
#include "protocol/sim/entry_pool.hpp"
#include "protocol/sim/metrics.hpp"
#include "protocol/sim/node_store.hpp"
#include "protocol/sim/roster_view.hpp"
#include "protocol/sim/scenario.hpp"

namespace ifex::sim {

class SimNode final : private IngestStore, private IngestEvents {
 public:
  // A member carries `roster` (which holds its own key); a relay or the hub (roster null)
  // carries every author.
  SimNode(std::uint32_t index, std::shared_ptr<const std::set<PublicKey>> roster,
          const ReplicatorSettings& settings, EntryPool& pool, Metrics& metrics);

  // A member whose roster is computed from the roster entries it holds, starting with the
  // genesis (which it holds from the start, as after `federation join`).
  SimNode(std::uint32_t index, const PooledEntry* genesis, const PublicKey& own,
          const ReplicatorSettings& settings, EntryPool& pool,
          Metrics& metrics);

  SimNode(const SimNode&) = delete;
  SimNode& operator=(const SimNode&) = delete;

  // Whether the peer keeps its connection after a message, and why not.
  struct Verdict {
    bool keep = true;
    bool forged = false;  // an entry or proof that did not verify
    std::string why;
  };

  Replicator& replicator() { return *replicator_; }
  const NodeStore& store() const { return store_; }
  ClockMsg clock() const;
  // What the Replicator asks for (the node core's wants_log).
  bool accepts(const PublicKey& author) const;
  // Whether an arriving entry is stored (the node core's accepts_entry).
  bool accepts_entry(const PublicKey& author, std::uint64_t seq) const;

  // The roster scenarios' view; null otherwise.
  const RosterView* roster_view() const { return view_.get(); }
  // Runs the roster rule again if roster entries arrived since; when whom this node accepts
  // changed, tells the Replicator (new clocks to every peer), as the node core does.
  void refresh_roster(std::uint64_t now_us);

  // Timers. Replicator::on_tick acts only on Have notes queued by a store since the last tick,
  // and on entries announced to it (Have) or found missing (a gap) that it does not hold yet.
  // While neither can be the case a tick would do nothing, so the simulation skips it: the same
  // run, with far fewer events at 10,000 nodes.
  bool tick_due() const { return stored_since_tick_ || !awaited_.empty(); }
  void tick(std::uint64_t now_us);
  // A HaveMsg the Replicator let through (on_message).
  void note_have(const HaveMsg& have);

  // An EntriesMsg the Replicator let through (on_message).
  Verdict receive_entries(PeerId from, const EntriesMsg& message, std::uint64_t now_us);
  Verdict receive_fork_proof(PeerId from, const Bytes& proof, std::uint64_t now_us);

  // Stores an entry this node signed and announces it, as a local publish.
  void publish(const PooledEntry* entry, std::uint64_t now_us);
  // Stores an entry this node signed without telling its Replicator (an equivocator's first
  // version, whose copies it hands out itself).
  void store_quietly(const PooledEntry* entry);
  // From now on this node neither records nor passes on fork proofs against `author`: an
  // equivocator does not spread the proof of its own fork.
  void conceal_forks_of(const PublicKey& author) { concealed_ = author; }

 private:
  void ingest(const std::vector<const PooledEntry*>& entries, PeerId from, bool push,
              std::uint64_t now_us);
  void record_fork_proof(const PublicKey& author, const Bytes& proof, std::optional<PeerId> from,
                         std::uint64_t now_us);

  // IngestStore, over store_ (a fork proof is recorded as the real store does, in the append)
  Result<std::vector<AppendOutcome>> append(std::span<const SignedEntry* const> entries) override;
  LogHead head(const PublicKey& author) const override { return store_.head(author); }
  std::optional<Bytes> fork_proof(const SignedEntry& refused) override;
  // IngestEvents: what the metrics see
  void stored(const SignedEntry& entry, std::optional<PeerId> from) override;
  void held(const SignedEntry& entry, std::optional<PeerId> from, std::uint64_t have_seq) override;
  bool fork_found(const SignedEntry& refused, const Bytes& proof) override;

  std::uint32_t index_;
  std::shared_ptr<const std::set<PublicKey>> roster_;
  std::unique_ptr<RosterView> view_;
  PublicKey own_;
  EntryPool& pool_;
  Metrics& metrics_;
  NodeStore store_;
  PendingEntries pending_;
  bool prune_;
  std::unique_ptr<Replicator> replicator_;
  Ingester ingester_;
  std::uint64_t ingest_now_us_ = 0;  // the time of the ingest under way, for the metrics
  std::optional<PublicKey> concealed_;
  bool stored_since_tick_ = false;
  std::map<PublicKey, std::uint64_t> awaited_;  // announced or wanted seqs beyond the head
};

}  // namespace ifex::sim
