// The roster rule (docs/protocol.md, "Federation roster"): the federation's members and
// threshold, computed from its genesis and the roster entries a node holds. Every node that
// holds the same entries computes the same roster, whatever order they arrived in: the rule
// reads a set and fills the changes' slots one at a time. Slot n takes a revocation made
// against n changes or fewer (base <= n) if one qualifies, else the proposal made against n
// changes (base n) with the lowest id among those that K distinct current members have signed
// and that fit the current roster; the other proposals made against n are then stale.
// Rotations (a member moves to a new key) take slots as revocations do.
//
// Ended logs (revoke, rotate, remove_after end a key's log after a seq): the entries after the
// end are void for readers, but the first ended_log_margin of them are still carried: every
// node stores and serves them and the rule reads them, so nodes that got them before they knew
// of the end and nodes that got them after hold the same set. Entries beyond the margin are
// refused, and the rule leaves them out, in every slot; as which logs end is itself the rule's
// result, it runs again until the ends it finds are those it left out (a fixed point;
// docs/protocol.md, "Ended logs").
//
// Pure: no store, no clock. Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "keys/bytes.hpp"
#include "keys/result.hpp"
#include "protocol/entry.hpp"
#include "protocol/roster_change.hpp"

namespace ifex {

// How many entries after its end an ended log still carries (docs/protocol.md, "Ended logs"):
// far more than a member signs while news of its end spreads (seconds), and a bound on what a
// thief or a removed member can make every node store (4 MiB at the default 64 KiB entry).
inline constexpr std::uint64_t ended_log_margin = 64;
// The last seq of an ended log that nodes store, serve and give the rule.
constexpr std::uint64_t last_carried_seq(std::uint64_t end_seq,
                                         std::uint64_t margin = ended_log_margin) {
  constexpr std::uint64_t top = std::numeric_limits<std::uint64_t>::max();
  return end_seq > top - margin ? top : end_seq + margin;
}

struct FederationMemberState {
  std::string name;
  // 0: a founder; else the 1-based number of the applied change that added it.
  std::uint64_t since_change = 0;
  // The keys it signed with before (rotate), oldest first: one organisation, several keys.
  std::vector<PublicKey> earlier_keys;
  // When the change that added it was proposed (the genesis's signing time for a founder), as
  // its proposer's clock said: for readers, not for the rule.
  std::uint64_t since_ms = 0;
};

struct RosterDecision {
  Hash proposal;        // the proposal's entry id
  PublicKey proposer;
  RosterProposal change;
  std::vector<PublicKey> approvers;  // current members who signed it (sorted)
  std::size_t other_signers = 0;     // signatures that do not count: non-members, revoked entries
  bool fits = true;                  // pending only: it could apply to the current roster
  bool stale = false;                // pending only: another change took its slot
  std::uint64_t proposed_ms = 0;     // the proposal entry's created_ms (for readers)
};

struct FederationState {
  Hash genesis;
  PublicKey founder;
  std::string name;
  std::uint64_t threshold = 1;
  std::map<PublicKey, FederationMemberState> members;
  // Keys whose log ended after a seq (revoked, rotated away from, removed with an end): their
  // entries up to it stay valid, later ones are void.
  std::map<PublicKey, std::uint64_t> ended_after;
  // The members of those removed by remove_after (not compromised: for readers).
  std::set<PublicKey> removed_keys;
  // Members removed or revoked, with the name they had: their earlier alerts keep it.
  std::map<PublicKey, std::string> former_names;
  // Keys a member rotated away from, to the key that replaced each (also in ended_after).
  std::map<PublicKey, PublicKey> rotated_to;
  std::vector<RosterDecision> applied;  // in the order they took effect
  std::vector<RosterDecision> pending;  // by proposal id
  std::size_t ignored_entries = 0;      // undecodable, another federation's, or misplaced
  std::size_t entries_beyond_margin = 0;         // held, but beyond their ended log's margin
  // Times the rule ran before the ends it found were those it had left out; `settled` is false
  // when it went round a cycle instead (docs/protocol.md, "The rule's fixed point").
  std::size_t rounds = 0;
  bool settled = true;
};

// `genesis` is the entry the federation is named by: a `roster` entry holding a GenesisRoster
// whose author is one of its members. `entries`: every roster entry held, of any author, in any
// order (duplicates and the genesis itself are fine). `margin`: ended_log_margin, the
// protocol's; tests pass a small one to reach the fixed point's rounds with few entries.
Result<FederationState> compute_federation(const SignedEntry& genesis,
                                           std::span<const SignedEntry> entries,
                                           std::uint64_t margin = ended_log_margin);

}  // namespace ifex
