#include "node/store/federation_load.hpp"

namespace ifex {

Result<std::optional<FederationView>> load_federation(const Store& store) {
  auto pin = store.federation();
  if (!pin) return pin.error();
  if (!*pin) return std::optional<FederationView>();
  FederationView view{**pin, std::nullopt};
  auto genesis = store.entry_by_id(view.pin.genesis);
  if (!genesis) return genesis.error();
  if (!*genesis) return std::optional<FederationView>(std::move(view));
  auto entries = store.roster_entries();
  if (!entries) return entries.error();
  auto state = compute_federation(**genesis, *entries);
  if (!state) return state.error();
  view.state = std::move(*state);
  return std::optional<FederationView>(std::move(view));
}

}  // namespace ifex
