#include "node/net/membership.hpp"

namespace ifex {

bool Membership::refresh(const Store& store) {
  auto roster = store.roster();
  auto peers = store.peers();
  auto pin = store.federation();
  auto count = store.roster_entry_count();
  // The roster rule runs outside the lock (network threads ask is_welcome meanwhile), and only
  // when what it reads changed. Only the core thread refreshes, so nothing changes in between.
  std::optional<std::optional<FederationView>> recomputed;
  if (pin && count) {
    const std::optional<Hash> genesis = *pin ? std::optional<Hash>((*pin)->genesis) : std::nullopt;
    bool stale;
    {
      MutexLock lock(mutex_);
      stale = genesis != computed_genesis_ || *count != computed_entries_;
    }
    // A failed read or an unusable genesis keeps the last federation roster.
    if (stale)
      if (auto view = load_federation(store)) recomputed = std::move(*view);
    if (recomputed) {
      MutexLock lock(mutex_);
      computed_genesis_ = genesis;
      computed_entries_ = *count;
    }
  }
  MutexLock lock(mutex_);
  if (recomputed) federation_ = std::move(*recomputed);
  bool changed = false;
  if (roster) {
    std::set<PublicKey> fresh;
    roster_names_.clear();
    if (federation_) {
      // Until the genesis is held, the founder's log is the one to fetch: it holds it.
      fresh.insert(federation_->pin.founder);
      if (federation_->state)
        for (const auto& [key, m] : federation_->state->members) {
          fresh.insert(key);
          roster_names_[key] = m.name;
        }
    }
    for (const auto& m : *roster) {
      fresh.insert(m.key);
      if (!m.name.empty() || !roster_names_.contains(m.key)) roster_names_[m.key] = m.name;
    }
    changed = fresh != roster_;
    roster_ = std::move(fresh);
  }
  if (peers) peers_ = std::move(*peers);
  return changed;
}

std::optional<FederationView> Membership::federation() const {
  MutexLock lock(mutex_);
  return federation_;
}

bool Membership::accepts(const PublicKey& author) const {
  if (author == own_key_) return true;
  MutexLock lock(mutex_);
  return roster_.count(author) > 0;
}

bool Membership::is_welcome(const PublicKey& key) const { return any_node_ || is_known(key); }

bool Membership::is_known(const PublicKey& key) const {
  MutexLock lock(mutex_);
  if (roster_.count(key)) return true;
  for (const auto& p : peers_)
    if (p.key == key) return true;
  return false;
}

std::vector<PeerRecord> Membership::peers() const {
  MutexLock lock(mutex_);
  return peers_;
}

std::set<PublicKey> Membership::peer_keys() const {
  MutexLock lock(mutex_);
  std::set<PublicKey> keys;
  for (const auto& p : peers_)
    if (p.key != own_key_) keys.insert(p.key);
  return keys;
}

std::set<PublicKey> Membership::roster() const {
  MutexLock lock(mutex_);
  return roster_;
}

std::optional<std::string> Membership::name(const PublicKey& key) const {
  MutexLock lock(mutex_);
  if (auto it = roster_names_.find(key); it != roster_names_.end()) return it->second;
  return std::nullopt;
}

}  // namespace ifex
