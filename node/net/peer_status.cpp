#include "node/net/peer_status.hpp"

#include <algorithm>
#include <functional>
#include <utility>

namespace ifex {

void PeerStatusTable::connected(const PublicKey& key, std::uint64_t now_ms) {
  MutexLock lock(mutex_);
  connected_keys_.insert(key);
  auto& st = status_[key];
  st.connected = true;
  st.connected_since_ms = now_ms;
  st.last_seen_ms = now_ms;
}

void PeerStatusTable::disconnected(const PublicKey& key, bool still, const std::string& reason,
                                   std::uint64_t now_ms) {
  MutexLock lock(mutex_);
  if (!still) connected_keys_.erase(key);
  auto& st = status_[key];
  st.connected = still;
  if (!still) st.lag.reset();
  st.last_seen_ms = now_ms;
  if (!reason.empty()) {
    st.last_error = reason;
    st.last_error_ms = now_ms;
  }
}

void PeerStatusTable::dial_failed(const PublicKey& key, const std::string& error,
                                  std::uint64_t now_ms) {
  MutexLock lock(mutex_);
  auto& st = status_[key];
  st.last_error = error;
  st.last_error_ms = now_ms;
}

bool PeerStatusTable::duplicate_seen(const PublicKey& key, std::uint64_t now_ms) {
  MutexLock lock(mutex_);
  auto& st = status_[key];
  const bool repeated = st.last_duplicate_ms != 0 && now_ms - st.last_duplicate_ms < 60'000;
  st.last_duplicate_ms = now_ms;
  return repeated;
}

void PeerStatusTable::set_lag(const PublicKey& key, const std::optional<PeerLag>& lag) {
  MutexLock lock(mutex_);
  if (auto it = status_.find(key); it != status_.end() && it->second.connected)
    it->second.lag = lag;
}

std::map<PublicKey, PeerLag> PeerStatusTable::lags() const {
  MutexLock lock(mutex_);
  std::map<PublicKey, PeerLag> out;
  for (const PublicKey& key : connected_keys_)
    if (auto it = status_.find(key); it != status_.end() && it->second.lag)
      out.emplace(key, *it->second.lag);
  return out;
}

bool PeerStatusTable::is_connected(const PublicKey& key) const {
  MutexLock lock(mutex_);
  return connected_keys_.count(key) > 0;
}

std::size_t PeerStatusTable::connected_count() const {
  MutexLock lock(mutex_);
  return connected_keys_.size();
}

PeerStatus PeerStatusTable::get(const PublicKey& key) const {
  MutexLock lock(mutex_);
  auto it = status_.find(key);
  return it == status_.end() ? PeerStatus{} : it->second;
}

std::vector<PublicKey> PeerStatusTable::recent(const std::set<PublicKey>& listed,
                                               std::uint64_t now_ms, std::size_t max_count) const {
  std::vector<std::pair<std::uint64_t, PublicKey>> seen;
  {
    MutexLock lock(mutex_);
    for (const auto& [key, st] : status_)
      if (!listed.count(key) && st.last_seen_ms != 0 && now_ms - st.last_seen_ms < recently_seen_ms)
        seen.emplace_back(st.last_seen_ms, key);
  }
  std::sort(seen.begin(), seen.end(), std::greater<>());
  if (seen.size() > max_count) seen.resize(max_count);
  std::vector<PublicKey> out;
  for (const auto& [when, key] : seen) out.push_back(key);
  return out;
}

std::map<PublicKey, bool> PeerStatusTable::up(std::set<PublicKey> keys, std::uint64_t now_ms,
                                              std::size_t max_count) const {
  MutexLock lock(mutex_);
  for (const auto& [key, st] : status_)
    if (keys.size() < max_count &&
        (st.connected || (st.last_seen_ms != 0 && now_ms - st.last_seen_ms < recently_seen_ms)))
      keys.insert(key);
  std::map<PublicKey, bool> out;
  for (const PublicKey& key : keys) {
    auto it = status_.find(key);
    out[key] = it != status_.end() && it->second.connected;
  }
  return out;
}

void PeerStatusTable::forget_old(const std::set<PublicKey>& configured, std::uint64_t now_ms) {
  MutexLock lock(mutex_);
  std::erase_if(status_, [&](const auto& item) {
    const auto& [key, st] = item;
    return !st.connected && !configured.count(key) &&
           (st.last_seen_ms == 0 || now_ms - st.last_seen_ms >= recently_seen_ms);
  });
}

}  // namespace ifex
