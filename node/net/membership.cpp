#include "node/net/membership.hpp"

namespace ifex {

bool Membership::refresh(const Store& store) {
  // The federation's members and the local roster (node/store/federation_load.hpp, which runs
  // the roster rule again only when the roster entries or the pin changed).
  auto roster = effective_roster(store);
  auto revoked = ifex::ended_keys(store);
  auto peers = store.peers();
  MutexLock lock(mutex_);
  bool changed = false;
  if (roster) {
    std::set<PublicKey> fresh;
    roster_names_.clear();
    for (const auto& m : *roster) {
      fresh.insert(m.key);
      roster_names_[m.key] = m.name;
    }
    changed = fresh != roster_;
    roster_ = std::move(fresh);
  }
  if (revoked) {
    changed = changed || *revoked != revoked_;
    revoked_ = std::move(*revoked);
  }
  if (peers) peers_ = std::move(*peers);
  return changed;
}

bool Membership::accepts(const PublicKey& author) const {
  if (author == own_key_) return true;
  MutexLock lock(mutex_);
  return roster_.count(author) > 0;
}

bool Membership::accepts_entry(const PublicKey& author, std::uint64_t seq) const {
  {
    MutexLock lock(mutex_);
    if (auto it = revoked_.find(author); it != revoked_.end())
      return seq <= last_carried_seq(it->second);
  }
  return accepts(author);
}

std::optional<std::uint64_t> Membership::ended_after(const PublicKey& key) const {
  MutexLock lock(mutex_);
  if (auto it = revoked_.find(key); it != revoked_.end()) return it->second;
  return std::nullopt;
}

std::optional<std::uint64_t> Membership::carried_until(const PublicKey& key) const {
  auto end = ended_after(key);
  if (end) return last_carried_seq(*end);
  return std::nullopt;
}

std::map<PublicKey, std::uint64_t> Membership::ended_keys() const {
  MutexLock lock(mutex_);
  return revoked_;
}

bool Membership::is_welcome(const PublicKey& key) const {
  // The federation ended this key's log (revoked, rotated, removed): its node is nobody's peer,
  // whatever the peer list or accept_unknown_peers say, so it cannot hand us its late entries.
  if (ended_after(key)) return false;
  return any_node_ || is_known(key);
}

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

std::vector<PeerRecord> Membership::dial_list() const {
  MutexLock lock(mutex_);
  std::vector<PeerRecord> out;
  for (const auto& p : peers_)
    if (!revoked_.contains(p.key)) out.push_back(p);  // it would not be welcome
  return out;
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
