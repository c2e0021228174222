// StoreWriter: the core's one writer of received entries. Entries verified off the core thread
// queue here; a flush appends everything queued since the last one in ONE transaction (one
// fsync however many peers pushed meanwhile) through the protocol's Ingester, which reports each
// outcome to the Replicator and holds entries that came ahead of their predecessors. It also
// brings entries other processes stored (a CLI publish, a bundle import) to the Replicator, and
// keeps the heads the Replicator has been told about.
//
// Core thread only: NodeCore owns it and calls it from its io_context.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "node/store/store.hpp"
#include "protocol/ingester.hpp"
#include "protocol/log_rules.hpp"
#include "protocol/replicator.hpp"

namespace ifex {

struct NodeCounters;

class StoreWriter final : private IngestStore, private IngestEvents {
 public:
  // `peer_key(id)`: the key of a connected peer, nullopt once it is gone (its entries are then
  // reported as held ones, without a sender). `now_ms`: the core's clock.
  StoreWriter(Store& store, Replicator& replicator, NodeCounters& counters,
              std::function<std::optional<PublicKey>(PeerId)> peer_key,
              std::function<std::uint64_t()> now_ms);

  // Learns the heads the store holds (at start, before any peer connects).
  void load_heads();
  // Queues entries of one message; `inflight` is released once they are stored. Returns true
  // when the queue was empty: the caller schedules one flush().
  bool queue(PeerId from, bool push, std::vector<SignedEntry> entries,
             std::shared_ptr<void> inflight);
  // Appends everything queued. The caller then sends what the Replicator queued.
  void flush();
  // Reports to the Replicator the entries other processes appended since the last call.
  void catch_up_with_store();

  // The heads the Replicator has been told about.
  const std::map<PublicKey, LogHead>& known_heads() const { return known_heads_; }
  // Entries held for a gap, waiting for their predecessors.
  std::size_t held_count() const { return pending_.size(); }

 private:
  struct Queued {
    PeerId from;
    bool push;
    std::vector<SignedEntry> entries;
    std::shared_ptr<void> inflight;  // the peer's read budget, given back when this is gone
  };

  // IngestStore
  Result<std::vector<AppendOutcome>> append(std::span<const SignedEntry* const> entries) override;
  LogHead head(const PublicKey& author) const override;
  std::optional<Bytes> fork_proof(const SignedEntry& refused) override;
  // IngestEvents
  void stored(const SignedEntry& entry, std::optional<PeerId> from) override;
  void duplicate(const SignedEntry& entry) override;
  void prev_mismatch(const SignedEntry& entry, std::optional<PeerId> from,
                     std::uint64_t have_seq) override;
  bool fork_found(const SignedEntry& refused, const Bytes& proof) override;

  Store& store_;
  Replicator& replicator_;
  NodeCounters& counters_;
  std::function<std::optional<PublicKey>(PeerId)> peer_key_;
  std::function<std::uint64_t()> now_ms_;
  PendingEntries pending_{10'000};
  Ingester ingester_;
  std::vector<Queued> queue_;
  std::map<PublicKey, LogHead> known_heads_;
};

}  // namespace ifex
