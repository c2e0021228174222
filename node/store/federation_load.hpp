// The federation as this node's store holds it: the pinned genesis, and the roster the roster
// rule computes from the roster entries stored (protocol/federation_roster.hpp). Shared by the
// running node (Membership), the CLI (`federation show`) and the API (GET /api/federation).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "node/store/store.hpp"
#include "protocol/federation_roster.hpp"

namespace ifex {

struct FederationView {
  FederationPin pin;
  // nullopt until the genesis entry itself is stored (a node that joined and has not yet
  // fetched the founder's log).
  std::optional<FederationState> state;
};

// nullopt when the node belongs to no federation.
Result<std::optional<FederationView>> load_federation(const Store& store);

// Whose entries this node accepts besides its own, with names: the federation's members (and
// its founder until the genesis is held) and the local roster (`roster add`), whose non-empty
// names win; never a key whose log the federation ended. What readers see as authors' names (the API, the feed, the page). The roster
// rule's result is kept per store and recomputed only when the roster entries or the pin
// changed, so calling this per request costs two small reads. Thread-safe.
Result<std::vector<RosterMember>> effective_roster(const Store& store);

// Keys whose log the federation ended (revoked, rotated away from, or removed with an end
// seq), each with the last seq whose entries stay valid: later entries are void (not listed,
// searched or fed; beyond the margin, refused and not served). Empty outside a federation.
// Cached as effective_roster is.
Result<std::map<PublicKey, std::uint64_t>> ended_keys(const Store& store);
// Whether this entry is void: signed by an ended key after its last valid seq.
Result<bool> is_void_entry(const Store& store, const PublicKey& author, std::uint64_t seq);

// Keys that are no longer a member's, with the name of the organisation that signed with them:
// members the federation removed or revoked (their last name), and keys a member rotated away
// from (its current name). Readers still see who wrote the earlier alerts, and an organisation
// that changed keys shows as one.
Result<std::map<PublicKey, std::string>> earlier_key_names(const Store& store);

}  // namespace ifex
