// What a simulated member signs in the roster scenarios, decided from its own view of the
// roster (what the roster rule computes from the entries it holds at that moment), never from
// the federation's true state: that is what makes proposals conflict under partial propagation.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <vector>

#include "keys/bytes.hpp"
#include "protocol/federation_roster.hpp"
#include "protocol/roster_change.hpp"
#include "protocol/sim/random.hpp"

namespace ifex::sim {

// Whether a change fits the roster as this view has it (the rule's "fits").
bool fits_view(const FederationState& view, const RosterProposal& change);

// A proposal this view may approve: pending, not stale, fitting, not its own and not signed by
// it yet (`signed_by_me`). One at random, or nullopt when none.
std::optional<Hash> choose_approval(const FederationState& view, const PublicKey& me,
                                    const std::set<Hash>& signed_by_me, Rng& rng);

// A random change against this view (base: the changes in effect in it): add a joiner not yet
// a member, remove a member other than `me`, change K, or (rarely) revoke a member after the
// seq `head_of` says this node holds of it. nullopt when the drawn kind has no candidate.
std::optional<RosterProposal> choose_change(
    const FederationState& view, const PublicKey& me, const std::vector<PublicKey>& joiners,
    const std::function<std::uint64_t(const PublicKey&)>& head_of, Rng& rng);

}  // namespace ifex::sim
