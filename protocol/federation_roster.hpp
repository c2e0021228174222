// The roster rule (docs/protocol.md, "Federation roster"): the federation's members and
// threshold, computed from its genesis and the roster entries a node holds. Every node that
// holds the same entries computes the same roster, whatever order they arrived in: the rule
// reads a set and fills the changes' slots one at a time. Slot n takes a revocation made
// against n changes or fewer (base <= n) if one qualifies, else the proposal made against n
// changes (base n) with the lowest id among those that K distinct current members have signed
// and that fit the current roster; the other proposals made against n are then stale.
// Rotations (a member moves to a new key) take slots as revocations do.
//
// Pure: no store, no clock. Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "keys/bytes.hpp"
#include "keys/result.hpp"
#include "protocol/entry.hpp"
#include "protocol/roster_change.hpp"

namespace ifex {

struct FederationMemberState {
  std::string name;
  // 0: a founder; else the 1-based number of the applied change that added it.
  std::uint64_t since_change = 0;
  // The keys it signed with before (rotate), oldest first: one organisation, several keys.
  std::vector<PublicKey> earlier_keys;
};

struct RosterDecision {
  Hash proposal;        // the proposal's entry id
  PublicKey proposer;
  RosterProposal change;
  std::vector<PublicKey> approvers;  // current members who signed it (sorted)
  std::size_t other_signers = 0;     // signatures that do not count: non-members, revoked entries
  bool fits = true;                  // pending only: it could apply to the current roster
  bool stale = false;                // pending only: another change took its slot
};

struct FederationState {
  Hash genesis;
  PublicKey founder;
  std::string name;
  std::uint64_t threshold = 1;
  std::map<PublicKey, FederationMemberState> members;
  // Keys revoked after a seq: their entries up to it stay valid, later ones are not.
  std::map<PublicKey, std::uint64_t> revoked_after;
  // Members removed or revoked, with the name they had: their earlier alerts keep it.
  std::map<PublicKey, std::string> former_names;
  // Keys a member rotated away from, to the key that replaced each (also in revoked_after).
  std::map<PublicKey, PublicKey> rotated_to;
  std::vector<RosterDecision> applied;  // in the order they took effect
  std::vector<RosterDecision> pending;  // by proposal id
  std::size_t ignored_entries = 0;      // undecodable, another federation's, or misplaced
};

// `genesis` is the entry the federation is named by: a `roster` entry holding a GenesisRoster
// whose author is one of its members. `entries`: every roster entry held, of any author, in any
// order (duplicates and the genesis itself are fine).
Result<FederationState> compute_federation(const SignedEntry& genesis,
                                           std::span<const SignedEntry> entries);

}  // namespace ifex
