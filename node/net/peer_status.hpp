// PeerStatusTable: what the node knows of each node it has been connected to, or tried to dial:
// whether it is connected, since when, when it was last seen, its last error. The status JSON
// (NodeStatus), /metrics (ifexnode_peer_up) and the sessions (is_connected) read it.
//
// Threads: the core thread records connections coming and going; the dialer (network thread)
// records failed dials; sessions and the HTTP pool read. Everything below mutex_ is guarded by it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "node/base/thread_annotations.hpp"
#include "node/store/store.hpp"
#include "protocol/replicator.hpp"

namespace ifex {

struct PeerStatus {
  std::string last_error;
  std::uint64_t last_error_ms = 0;
  std::uint64_t connected_since_ms = 0;
  std::uint64_t last_duplicate_ms = 0;  // the last time a second link of this key came up
  std::uint64_t last_seen_ms = 0;       // connected until then (0: never while we ran)
  bool connected = false;
  // While connected and its clock is in: how far it and this node are apart (refreshed every
  // second by the core from the Replicator, ifexnode_peer_behind_entries and _ahead_entries).
  std::optional<PeerLag> lag;
};

class PeerStatusTable {
 public:
  // Nodes that are not configured peers stay listed (status, /metrics) this long after they
  // were last connected; then they are forgotten.
  static constexpr std::uint64_t recently_seen_ms = 7ull * 24 * 3600 * 1000;

  // Times are wall-clock milliseconds.
  void connected(const PublicKey& key, std::uint64_t now_ms) EXCLUDES(mutex_);
  // A link of `key` is gone; `still`: another link of it remains. An empty `reason` is no error.
  void disconnected(const PublicKey& key, bool still, const std::string& reason,
                    std::uint64_t now_ms) EXCLUDES(mutex_);
  void dial_failed(const PublicKey& key, const std::string& error, std::uint64_t now_ms)
      EXCLUDES(mutex_);
  // A second link of `key` came up. True when one did already less than a minute ago.
  bool duplicate_seen(const PublicKey& key, std::uint64_t now_ms) EXCLUDES(mutex_);
  // The lag of a connected node (ignored once it is down: a node down has no lag, only a cause).
  void set_lag(const PublicKey& key, const std::optional<PeerLag>& lag) EXCLUDES(mutex_);

  bool is_connected(const PublicKey& key) const EXCLUDES(mutex_);
  std::size_t connected_count() const EXCLUDES(mutex_);
  // A default PeerStatus for a node never seen.
  PeerStatus get(const PublicKey& key) const EXCLUDES(mutex_);
  // The nodes seen within recently_seen_ms that are not in `listed`, last seen first, at most
  // `max_count`.
  std::vector<PublicKey> recent(const std::set<PublicKey>& listed, std::uint64_t now_ms,
                                std::size_t max_count) const EXCLUDES(mutex_);
  // `keys` (the configured peers), then nodes connected or seen recently while fewer than
  // `max_count`: each with whether it is connected.
  std::map<PublicKey, bool> up(std::set<PublicKey> keys, std::uint64_t now_ms,
                               std::size_t max_count) const EXCLUDES(mutex_);
  // The connected nodes whose lag is known, with it.
  std::map<PublicKey, PeerLag> lags() const EXCLUDES(mutex_);
  // Keeps the configured peers and the nodes connected or seen recently.
  void forget_old(const std::set<PublicKey>& configured, std::uint64_t now_ms) EXCLUDES(mutex_);

 private:
  mutable Mutex mutex_;
  std::set<PublicKey> connected_keys_ GUARDED_BY(mutex_);
  std::map<PublicKey, PeerStatus> status_ GUARDED_BY(mutex_);
};

}  // namespace ifex
