// One simulated node's store: its logs in memory, with the append rules of the real store
// (node/store/store.cpp) and its fork-proof freeze, read back through the Replicator's LogReader.
// Entries are pointers into the simulation's EntryPool, verified before they get here.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "keys/bytes.hpp"
#include "protocol/append_outcome.hpp"
#include "protocol/gossip_messages.hpp"
#include "protocol/log_rules.hpp"
#include "protocol/replicator.hpp"
#include "protocol/sim/entry_pool.hpp"

namespace ifex::sim {

class NodeStore final : public LogReader {
 public:
  AppendOutcome append(const PooledEntry* entry);
  // The entry held at (author, seq), or nullptr.
  const PooledEntry* at(const PublicKey& author, std::uint64_t seq) const;

  // False when a proof for that author is already held (only the first one is kept).
  bool add_fork_proof(const PublicKey& author, Bytes proof);
  bool frozen(const PublicKey& author) const { return fork_proofs_.contains(author); }
  const std::map<PublicKey, Bytes>& fork_proofs() const { return fork_proofs_; }

  LogHead head(const PublicKey& author) const override;
  std::vector<Bytes> read(const PublicKey& author, std::uint64_t from_seq, std::size_t max_count,
                          std::size_t max_bytes) const override;

  // What a node tells a peer on connect, as the node's core does: every author it accepts by
  // name (`roster`, may be null) and every author it holds, with its head; `accepts_any` for a
  // relay.
  ClockMsg clock(const std::set<PublicKey>* roster, bool accepts_any) const;

 private:
  struct Log {
    std::vector<const PooledEntry*> entries;  // entries[seq - 1]
  };
  std::map<PublicKey, Log> logs_;
  std::map<PublicKey, Bytes> fork_proofs_;
};

}  // namespace ifex::sim
