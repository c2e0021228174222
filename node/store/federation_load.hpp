// The federation as this node's store holds it: the pinned genesis, and the roster the roster
// rule computes from the roster entries stored (protocol/federation_roster.hpp). Shared by the
// running node (Membership), the CLI (`federation show`) and the API (GET /api/federation).
#pragma once

#include <optional>

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

}  // namespace ifex
