// Membership: whose entries this node accepts (its roster) and which nodes it dials (its peers),
// as the store last said. The operator changes both with the CLI (another process), so the copy
// here is refreshed from the store at start and on every store poll.
//
// Threads: the core thread refreshes it (NodeCore) and asks it about authors; network threads
// ask whether an authenticated node may stay (sessions) and whom to dial (dialer); the HTTP pool
// reads names for /metrics. Every member below mutex_ is guarded by it; the rest is set once.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "node/net/thread_annotations.hpp"
#include "node/store/store.hpp"

namespace ifex {

class Membership {
 public:
  // `any_author`: a relay accepts every author. `any_node`: a relay, or accept_unknown_peers,
  // welcomes every node of the network.
  Membership(const PublicKey& own_key, bool any_author, bool any_node)
      : own_key_(own_key), any_author_(any_author), any_node_(any_node) {}

  // Re-reads the roster and the peers (a read that fails keeps the last copy). True when the
  // roster changed. Core thread.
  bool refresh(const Store& store) EXCLUDES(mutex_);

  // Whether entries by `author` are accepted: our own, a relay's, or a rostered member's.
  bool accepts(const PublicKey& author) const EXCLUDES(mutex_);
  // Whether an authenticated node may stay connected: on the peer list, on the roster, or any
  // node of the network when any_node is set.
  bool is_welcome(const PublicKey& key) const EXCLUDES(mutex_);
  // The peers to dial.
  std::vector<PeerRecord> peers() const EXCLUDES(mutex_);
  // The peers' keys, without our own.
  std::set<PublicKey> peer_keys() const EXCLUDES(mutex_);
  std::set<PublicKey> roster() const EXCLUDES(mutex_);
  // A member's name on the roster.
  std::optional<std::string> name(const PublicKey& key) const EXCLUDES(mutex_);

 private:
  const PublicKey own_key_;
  const bool any_author_;
  const bool any_node_;

  mutable Mutex mutex_;
  std::set<PublicKey> roster_ GUARDED_BY(mutex_);
  std::map<PublicKey, std::string> roster_names_ GUARDED_BY(mutex_);
  std::vector<PeerRecord> peers_ GUARDED_BY(mutex_);
};

}  // namespace ifex
