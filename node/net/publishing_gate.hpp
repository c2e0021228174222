// PublishingGate: lifts the publishing hold (node/store/publishing_hold.cpp) once this node's
// own log is confirmed, and sets it when a peer shows the store is behind the federation.
//
// A restored or copied store may lack the node's newest own entries while other nodes hold
// them. Signing on the store's head would then fork the node's own log. So publishing (CLI,
// POST /api/alerts, archive import: every signer goes through Store::append_own) waits until:
//   - `needed` rostered or configured peers have sent a clock naming our own log, and
//   - our store's head of that log is at least the highest seq any of them named,
// which catch-up from those peers brings about by itself. A peer that is neither rostered nor
// configured (accept_unknown_peers) counts for nothing either way: a throwaway identity must
// not be able to lift a hold by claiming it holds none of our log, nor set one.
//
// Threads: core thread only (NodeCore), like the Replicator.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>

#include "node/store/store.hpp"

namespace ifex {

class PublishingGate {
 public:
  PublishingGate(Store& store, const PublicKey& own_key, std::size_t needed)
      : store_(store), own_key_(own_key), needed_(needed) {}

  // Re-reads the hold: at start and on each store poll (the CLI may set or lift it).
  void refresh();
  // `peer`'s clock or have note names our own log at `seq`. Only peers that count (rostered
  // or configured) are passed here.
  void peer_named_own_log(const PublicKey& peer, std::uint64_t seq);
  // Entries of our own log were stored from peers: maybe the hold can go.
  void own_log_grew();
  bool held() const { return hold_.has_value(); }
  // For the status: held or not, why, since when, and how far the confirmation got.
  boost::json::object json() const;

 private:
  std::uint64_t own_head_seq() const;
  void try_release();

  Store& store_;
  const PublicKey own_key_;
  const std::size_t needed_;
  std::optional<PublishingHold> hold_;
  std::map<PublicKey, std::uint64_t> named_;  // per peer: the highest seq it named for our log
};

}  // namespace ifex
