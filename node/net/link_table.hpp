// LinkTable: the node's authenticated connections, by PeerId, and the rule that settles two
// links to one node. Two nodes that dial each other at once end up with two links; both ends
// keep the one dialed by the smaller public key, so they agree without talking about it.
//
// Threads: core thread only (NodeCore owns it; sessions reach it by posting to the core). No
// lock: nothing else may touch it, except release at shutdown after the core thread ended.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "node/net/peer_link.hpp"
#include "node/store/store.hpp"
#include "protocol/replicator.hpp"

namespace ifex {

struct Link {
  PublicKey key;
  bool outbound;
  std::string address;
  std::shared_ptr<PeerLink> link;
  std::uint64_t since_ms;
  bool may_read = false;  // whether we serve it our logs (decided at connect)
};

// Whether a new link to a node replaces the one we have: only if the new one was dialed by the
// smaller key (we dial outbound links, the node inbound ones) and the old one was not.
bool new_link_wins(const PublicKey& own_key, const PublicKey& key, bool existing_outbound,
                   bool new_outbound);

class LinkTable {
 public:
  using Map = std::map<PeerId, Link>;

  Link* find(PeerId id);
  const Link* find(PeerId id) const;
  // The first link of `key`, if any.
  std::optional<PeerId> find_key(const PublicKey& key) const;
  bool has_key(const PublicKey& key) const { return find_key(key).has_value(); }
  void add(PeerId id, Link link) { links_[id] = std::move(link); }
  // The link removed, if it was there.
  std::optional<Link> erase(PeerId id);
  void clear() { links_.clear(); }

  std::size_t size() const { return links_.size(); }
  Map::const_iterator begin() const { return links_.begin(); }
  Map::const_iterator end() const { return links_.end(); }

 private:
  Map links_;
};

}  // namespace ifex
