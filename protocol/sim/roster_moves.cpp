#include "protocol/sim/roster_moves.hpp"

#include <algorithm>

namespace ifex::sim {

bool fits_view(const FederationState& v, const RosterProposal& p) {
  const bool member = v.members.contains(p.member);
  switch (p.op) {
    case RosterOp::add:
      return !member && !v.ended_after.contains(p.member);
    case RosterOp::remove:
    case RosterOp::remove_after:
      return member && v.members.size() - 1 >= v.threshold;
    case RosterOp::threshold:
      return p.value != v.threshold && p.value >= 1 && p.value <= v.members.size();
    case RosterOp::revoke:
      return !v.ended_after.contains(p.member) &&
             (!member || v.members.size() - 1 >= v.threshold);
    default:
      return false;  // an op this simulator does not make
  }
}

std::optional<Hash> choose_approval(const FederationState& v, const PublicKey& me,
                                    const std::set<Hash>& signed_by_me, Rng& rng) {
  std::vector<Hash> candidates;
  for (const RosterDecision& d : v.pending)
    if (!d.stale && d.fits && d.proposer != me && !signed_by_me.contains(d.proposal) &&
        !std::binary_search(d.approvers.begin(), d.approvers.end(), me))
      candidates.push_back(d.proposal);
  if (candidates.empty()) return std::nullopt;
  return candidates[uniform(rng, 0, candidates.size() - 1)];
}

std::optional<RosterProposal> choose_change(
    const FederationState& v, const PublicKey& me, const std::vector<PublicKey>& joiners,
    const std::function<std::uint64_t(const PublicKey&)>& head_of, Rng& rng) {
  RosterProposal p;
  p.genesis = v.genesis;
  p.base = v.applied.size();
  std::vector<PublicKey> others;
  for (const auto& [key, m] : v.members)
    if (key != me) others.push_back(key);
  const std::uint64_t draw = uniform(rng, 0, 99);
  if (draw < 40) {
    std::vector<PublicKey> outside;
    for (const auto& j : joiners)
      if (!v.members.contains(j) && !v.ended_after.contains(j)) outside.push_back(j);
    if (outside.empty()) return std::nullopt;
    p.op = RosterOp::add;
    p.member = outside[uniform(rng, 0, outside.size() - 1)];
    p.name = "joiner " + p.member.hex().substr(0, 8);
  } else if (draw < 70 || (draw >= 90 && others.empty())) {
    if (others.empty()) return std::nullopt;
    p.op = RosterOp::remove_after;  // what `federation propose remove` makes
    p.member = others[uniform(rng, 0, others.size() - 1)];
    p.value = head_of(p.member);
  } else if (draw < 90) {
    p.op = RosterOp::threshold;
    const std::uint64_t top = std::min<std::uint64_t>(5, v.members.size());
    if (top < 2) return std::nullopt;
    p.value = uniform(rng, 2, top);
  } else {
    p.op = RosterOp::revoke;
    p.member = others[uniform(rng, 0, others.size() - 1)];
    p.value = head_of(p.member);
  }
  if (!fits_view(v, p)) return std::nullopt;
  return p;
}

}  // namespace ifex::sim
