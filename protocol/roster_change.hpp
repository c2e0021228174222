// The payloads of `roster` entries (kind 5): how a federation governs its membership with
// signed entries (docs/protocol.md, "Federation roster"). Three types:
//   genesis:  the founding roster (members and threshold K), in the founder's own log; its entry
//             id names the federation and is what an invitation pins;
//   proposal: a change (add, remove, threshold, revoke, rotate, remove_after) to the federation
//             named by a genesis id, made against its roster after `base` changes; the
//             proposer's own approval;
//   approval: a member's signature on a proposal, named by the proposal's entry id.
// Canonical form: genesis members sorted by key, unique. decode_roster_change accepts only it.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "keys/bytes.hpp"
#include "keys/result.hpp"

namespace ifex {

inline constexpr std::uint8_t roster_format = 1;
inline constexpr std::size_t max_federation_members = 10'000;
inline constexpr std::size_t max_member_name_bytes = 256;

struct FederationMember {
  PublicKey key;
  std::string name;
  friend bool operator==(const FederationMember&, const FederationMember&) = default;
};

struct GenesisRoster {
  std::string federation_name;
  std::uint64_t threshold = 1;
  std::vector<FederationMember> members;  // sorted by key
  friend bool operator==(const GenesisRoster&, const GenesisRoster&) = default;
};

// rotate: a member moves to a new key and stays one organisation (its name, its place since
// the change that added it); the old key is revoked after `value`, as by revoke.
// remove_after: the member leaves and its log ends after `value`: later entries are void, as a
// revoked key's, so every node holds the same entries of it. What `federation propose remove`
// makes; remove (op 2, no end) is still applied but leaves nodes holding different late entries.
enum class RosterOp : std::uint8_t {
  add = 1,
  remove = 2,
  threshold = 3,
  revoke = 4,
  rotate = 5,
  remove_after = 6,
};
std::string_view roster_op_name(RosterOp op);

struct RosterProposal {
  Hash genesis;
  // How many changes had taken effect when it was proposed: it can only become change
  // base + 1, so two changes proposed against one roster never both apply, and one that took
  // effect stays in effect whatever arrives later. Revocations apply whatever their base.
  std::uint64_t base = 0;
  RosterOp op = RosterOp::add;
  PublicKey member;            // add, remove(_after), revoke, rotate (the old key); zero for threshold
  std::string name;            // add
  std::uint64_t value = 0;     // threshold: the new K; revoke, rotate, remove_after: the last valid seq
  PublicKey successor;         // rotate: the new key (zero otherwise)
  friend bool operator==(const RosterProposal&, const RosterProposal&) = default;
};

struct RosterApproval {
  Hash genesis;
  Hash proposal;  // the proposal's entry id
  friend bool operator==(const RosterApproval&, const RosterApproval&) = default;
};

using RosterChange = std::variant<GenesisRoster, RosterProposal, RosterApproval>;

// Canonicalises (sorts genesis members) and encodes. Does not validate.
Bytes encode_roster_change(RosterChange change);
// Strict: canonical form only, every rule of validate_roster_change.
Result<RosterChange> decode_roster_change(ByteView payload);
// Names, counts, threshold within 1..members, no duplicate member, the fields each op needs.
Status validate_roster_change(const RosterChange& change);

}  // namespace ifex
