// One simulated node's view of its federation's roster: the roster entries it holds, in the
// order they arrived, and what the roster rule (protocol/federation_roster.hpp) computes from
// them. As a node refreshes its Membership on each store poll, the rule runs again only when
// entries arrived since, and whom the node accepts follows the result: current members, its own
// key, and a revoked key up to its last valid seq (docs/protocol.md, "Federation roster").
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "keys/bytes.hpp"
#include "protocol/entry.hpp"
#include "protocol/federation_roster.hpp"

namespace ifex::sim {

class RosterView {
 public:
  // `genesis`: the federation's genesis entry, which the node holds from the start.
  RosterView(const SignedEntry& genesis, const PublicKey& own);

  // A roster entry the node stored (received or its own), at simulated time `now_us`.
  void add(const SignedEntry& entry, std::uint64_t now_us);
  bool dirty() const { return dirty_; }
  // Runs the rule again over what is held. True when whom the node accepts changed.
  bool refresh(std::uint64_t now_us);

  const FederationState& state() const { return state_; }
  const std::vector<SignedEntry>& held() const { return held_; }
  bool is_member(const PublicKey& key) const { return state_.members.contains(key); }

  // Whether an entry may be stored: ours, a member's, or an ended key's up to its last valid
  // seq (revoked, rotated, removed with an end; a member removed without one is refused, as on
  // a node).
  bool accepts_entry(const PublicKey& author, std::uint64_t seq) const;
  // Whether the node asks peers for this author's log, holding it up to `head_seq`.
  bool wants_log(const PublicKey& author, std::uint64_t head_seq) const;
  // Authors a clock names even when nothing of theirs is held.
  std::set<PublicKey> named_authors() const;

  // The whole computed state as bytes: equal bytes, equal roster, history and pending set.
  const std::string& digest() const { return digest_; }
  std::uint64_t last_arrival_us() const { return last_arrival_us_; }
  std::uint64_t last_change_us() const { return last_change_us_; }
  // Refreshes whose applied history did not extend the previous one: a change this node had
  // seen in effect was replaced (the rule allows it when K members signed two proposals for
  // one slot and the lower id arrived late).
  std::uint64_t rewrites() const { return rewrites_; }
  // Those where the change now in the first rewritten slot is a revocation.
  std::uint64_t rewrites_by_revocation() const { return rewrites_by_revocation_; }
  // Every change this node ever computed as in effect.
  const std::set<Hash>& ever_applied() const { return ever_applied_; }

 private:
  SignedEntry genesis_;
  PublicKey own_;
  std::vector<SignedEntry> held_;
  std::set<Hash> held_ids_;
  bool dirty_ = true;
  FederationState state_;
  std::string digest_;
  std::uint64_t last_arrival_us_ = 0;
  std::uint64_t last_change_us_ = 0;
  std::uint64_t rewrites_ = 0;
  std::uint64_t rewrites_by_revocation_ = 0;
  std::set<Hash> ever_applied_;
};

// Parts of the computed state as bytes, for comparing nodes: the roster (threshold, members,
// revocations), the applied history (ids in order), the pending proposals (ids, flags), and
// the signatures on every proposal (approvers, and the count of signatures that do not count).
enum class StatePart { roster, history, pending, signatures };
inline constexpr StatePart state_parts[] = {StatePart::roster, StatePart::history,
                                            StatePart::pending, StatePart::signatures};
std::string federation_digest(const FederationState& state, StatePart part);
// Every part.
std::string federation_digest(const FederationState& state);

}  // namespace ifex::sim
