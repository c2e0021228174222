// Ingester: what a node does with verified entries once they are its to store. It appends them
// through a store, reports each outcome to the Replicator (stored, duplicate, gap, fork), holds
// entries that arrive ahead of their predecessors in PendingEntries and appends them once the gap
// closes. The node's core (node/net/node_core.cpp) and the simulator (protocol/sim/sim_node.cpp) both
// drive this one class, each over its own store, so the simulator measures the node's logic and
// not a copy of it. Entries reach it already checked (protocol/entry_check.hpp) and filtered by
// the roster; what it leaves to the store is the log rules (seq, prev, forks).
//
// Not thread-safe: one owner calls everything, as for the Replicator it drives.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "keys/bytes.hpp"
#include "keys/result.hpp"
#include "protocol/append_outcome.hpp"
#include "protocol/entry.hpp"
#include "protocol/log_rules.hpp"
#include "protocol/replicator.hpp"

namespace ifex {

// What the Ingester needs of a store.
class IngestStore {
 public:
  virtual ~IngestStore() = default;
  // Appends `entries` in order, in one transaction where the store has them, and returns one
  // outcome per entry. On a fork the store records the fork proof before it appends the next
  // entry, so the author's later entries come back `frozen`. An error: nothing was appended.
  virtual Result<std::vector<AppendOutcome>> append(std::span<const SignedEntry* const> entries) = 0;
  // The author's head as held now (seq 0 for an empty log).
  virtual LogHead head(const PublicKey& author) const = 0;
  // The encoded fork proof the store holds against the author of `refused`, after an append
  // of `refused` came back `fork`. nullopt when it recorded none.
  virtual std::optional<Bytes> fork_proof(const SignedEntry& refused) = 0;
};

// What the owner counts, logs or measures. Each call comes after the store's outcome and before
// the Replicator hears of it.
class IngestEvents {
 public:
  virtual ~IngestEvents() = default;
  virtual void stored(const SignedEntry& /*entry*/, std::optional<PeerId> /*from*/) {}
  virtual void duplicate(const SignedEntry& /*entry*/) {}
  // The entry is held for a gap; the log holds up to `have_seq`.
  virtual void held(const SignedEntry& /*entry*/, std::optional<PeerId> /*from*/,
                    std::uint64_t /*have_seq*/) {}
  // The entry follows seq `have_seq` but names another predecessor than ours: not stored, and
  // its sender is asked for its side of the fork.
  virtual void prev_mismatch(const SignedEntry& /*entry*/, std::optional<PeerId> /*from*/,
                             std::uint64_t /*have_seq*/) {}
  // The store found a fork and holds `proof`. Returns whether the proof goes on to the peers.
  virtual bool fork_found(const SignedEntry& /*refused*/, const Bytes& /*proof*/) { return true; }
};

// Entries that arrived together.
struct IngestBatch {
  std::optional<PeerId> from;  // the peer that sent them, if still connected; else nullopt
  // Whether a duplicate among them counts towards pruning the link they came by (they were
  // pushed, and the owner prunes at all).
  bool prune_on_duplicate = false;
  std::span<const SignedEntry* const> entries;
};

class Ingester {
 public:
  Ingester(IngestStore& store, PendingEntries& pending, Replicator& replicator,
           IngestEvents& events)
      : store_(store), pending_(pending), replicator_(replicator), events_(events) {}

  // Appends every batch in ONE store append (group commit: one transaction however many peers
  // sent), reports each outcome in order, then appends held entries of the authors touched,
  // which are reported without a sender (the peer that closed the gap may lack them), until
  // none fits. An error from the store stops it: entries not appended are fetched again later.
  Status ingest(std::span<const IngestBatch> batches, std::uint64_t now_ms);

 private:
  struct Heads;
  void report(const IngestBatch& batch, std::span<const AppendOutcome> outcomes, Heads& heads,
              std::uint64_t now_ms);

  IngestStore& store_;
  PendingEntries& pending_;
  Replicator& replicator_;
  IngestEvents& events_;
};

}  // namespace ifex
