#include "node/store/federation_load.hpp"

#include <map>
#include <mutex>

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

namespace {

struct CachedFederation {
  std::optional<Hash> genesis;
  std::uint64_t entries = 0;
  std::optional<FederationView> view;
};

// The pinned federation, with the roster rule's result kept per store and recomputed only when
// the roster entries or the pin changed. nullopt when the node belongs to no federation.
Result<std::optional<FederationView>> current_federation(const Store& store) {
  auto pin = store.federation();
  if (!pin) return pin.error();
  if (!*pin) return std::optional<FederationView>();
  auto count = store.roster_entry_count();
  if (!count) return count.error();
  static std::mutex mutex;
  static std::map<const Store*, CachedFederation> cache;
  std::lock_guard lock(mutex);
  CachedFederation& c = cache[&store];
  if (c.view && c.genesis == (*pin)->genesis && c.entries == *count) return c.view;
  auto loaded = load_federation(store);
  // An unusable genesis (or a failed read) leaves only the founder's log accepted, and the
  // local roster still applies: `federation show` says what is wrong. A failure is not kept:
  // the next call tries again.
  if (!loaded) return std::optional<FederationView>(FederationView{**pin, {}});
  c = {(*pin)->genesis, *count, std::move(*loaded)};
  return c.view;
}

}  // namespace

Result<std::vector<RosterMember>> effective_roster(const Store& store) {
  auto local = store.roster();
  if (!local) return local.error();
  auto view = current_federation(store);
  if (!view) return view.error();
  std::map<PublicKey, RosterMember> merged;
  if (*view) {
    merged[(*view)->pin.founder] = {(*view)->pin.founder, "", 0};
    if ((*view)->state)
      for (const auto& [key, m] : (*view)->state->members) merged[key] = {key, m.name, 0};
  }
  for (const auto& m : *local) {
    RosterMember& slot = merged[m.key];
    const std::string federation_name = slot.name;
    slot = m;
    if (slot.name.empty()) slot.name = federation_name;
  }
  // An ended log (revoked, rotated, removed with an end seq) is the federation's word: no local
  // roster brings the key back (its entries up to the end seq stay valid: ended_keys).
  if (*view && (*view)->state)
    for (const auto& [key, after] : (*view)->state->ended_after) merged.erase(key);
  std::vector<RosterMember> out;
  out.reserve(merged.size());
  for (auto& [key, m] : merged) out.push_back(std::move(m));
  return out;
}

Result<std::map<PublicKey, std::string>> earlier_key_names(const Store& store) {
  auto view = current_federation(store);
  if (!view) return view.error();
  if (!*view || !(*view)->state) return std::map<PublicKey, std::string>{};
  const FederationState& s = *(*view)->state;
  std::map<PublicKey, std::string> names = s.former_names;
  for (const auto& [old_key, next] : s.rotated_to) {
    // Follow the rotations to the organisation's latest key (each key is rotated away from at
    // most once, and never comes back: the chain ends).
    PublicKey latest = next;
    for (std::size_t hops = 0; hops <= s.rotated_to.size(); ++hops) {
      auto further = s.rotated_to.find(latest);
      if (further == s.rotated_to.end()) break;
      latest = further->second;
    }
    if (auto m = s.members.find(latest); m != s.members.end())
      names[old_key] = m->second.name;
    else if (auto f = s.former_names.find(latest); f != s.former_names.end())
      names[old_key] = f->second;
  }
  return names;
}

Result<std::map<PublicKey, std::uint64_t>> ended_keys(const Store& store) {
  auto view = current_federation(store);
  if (!view) return view.error();
  if (!*view || !(*view)->state) return std::map<PublicKey, std::uint64_t>{};
  return (*view)->state->ended_after;
}

Result<bool> is_void_entry(const Store& store, const PublicKey& author, std::uint64_t seq) {
  auto revoked = ended_keys(store);
  if (!revoked) return revoked.error();
  auto it = revoked->find(author);
  return it != revoked->end() && seq > it->second;
}

}  // namespace ifex
