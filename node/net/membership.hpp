// Membership: whose entries this node accepts (its roster) and which nodes it dials (its peers),
// as the store last said. The roster is the federation's (computed by the roster rule from the
// roster entries stored, when the node belongs to a federation) together with the operator's
// local list (`roster add`, an override). Both change in other processes (the CLI) or through
// gossip, so the copy here is refreshed from the store at start and on every store poll (the
// roster rule runs again only when the roster entries or the pin changed).
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

#include "node/base/thread_annotations.hpp"
#include "node/store/federation_load.hpp"
#include "node/store/store.hpp"

namespace ifex {

class Membership {
 public:
  // `any_node`: accept_unknown_peers (relays by default) welcomes every node of the network.
  // No role accepts every author: a relay stores only its roster's (and a network-key holder
  // cannot fill it with entries of identities it made up).
  Membership(const PublicKey& own_key, bool any_node) : own_key_(own_key), any_node_(any_node) {}

  // Re-reads the roster, the revocations and the peers (a read that fails keeps the last
  // copy). True when the roster or the revocations changed. Core thread.
  bool refresh(const Store& store) EXCLUDES(mutex_);

  // Whether entries by `author` are accepted: our own or a rostered member's. A key whose log
  // the federation ended is not (the caller may still take its entries up to the margin:
  // carried_until).
  bool accepts(const PublicKey& author) const EXCLUDES(mutex_);
  // Whether this entry may be stored: by an accepted author, or by an ended key at or below
  // its last carried seq (last_carried_seq: the end plus the margin every node keeps, void for
  // readers; also our own key: an end the federation decided binds us).
  bool accepts_entry(const PublicKey& author, std::uint64_t seq) const EXCLUDES(mutex_);
  // The last valid seq of a key whose log the federation ended (revoked, rotated, removed with
  // an end seq); nullopt for any other key.
  std::optional<std::uint64_t> ended_after(const PublicKey& key) const EXCLUDES(mutex_);
  // The last seq of an ended log that is stored and served (the end plus the margin).
  std::optional<std::uint64_t> carried_until(const PublicKey& key) const EXCLUDES(mutex_);
  std::map<PublicKey, std::uint64_t> ended_keys() const EXCLUDES(mutex_);
  // Whether an authenticated node may stay connected: on the peer list, on the roster, or any
  // node of the network when any_node is set; never a node whose key's log the federation ended.
  bool is_welcome(const PublicKey& key) const EXCLUDES(mutex_);
  // Whether a node is one the operator named: on the roster or the peer list.
  bool is_known(const PublicKey& key) const EXCLUDES(mutex_);
  // The peers the operator configured (`peer add`), for status.
  std::vector<PeerRecord> peers() const EXCLUDES(mutex_);
  // The peers to dial: those configured, but none whose key's log the federation ended.
  std::vector<PeerRecord> dial_list() const EXCLUDES(mutex_);
  // The peers' keys, without our own.
  std::set<PublicKey> peer_keys() const EXCLUDES(mutex_);
  std::set<PublicKey> roster() const EXCLUDES(mutex_);
  // A member's name on the roster (the local name, else the federation's).
  std::optional<std::string> name(const PublicKey& key) const EXCLUDES(mutex_);

 private:
  const PublicKey own_key_;
  const bool any_node_;

  mutable Mutex mutex_;
  std::set<PublicKey> roster_ GUARDED_BY(mutex_);
  std::map<PublicKey, std::string> roster_names_ GUARDED_BY(mutex_);
  std::map<PublicKey, std::uint64_t> revoked_ GUARDED_BY(mutex_);
  std::vector<PeerRecord> peers_ GUARDED_BY(mutex_);
};

}  // namespace ifex
