#include "node/net/replay_guard.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "keys/identity.hpp"

namespace ifex {

EphemeralHasher::EphemeralHasher() {
  init_crypto();
  static_assert(sizeof key_ == crypto_shorthash_KEYBYTES);
  crypto_shorthash_keygen(key_.data());
}

EphemeralHasher::EphemeralHasher(ByteView key) {
  if (key.size() != key_.size()) throw std::invalid_argument("a SipHash key is 16 bytes");
  std::memcpy(key_.data(), key.data(), key_.size());
}

std::size_t EphemeralHasher::operator()(const EphemeralPublic& ea) const {
  std::uint8_t out[crypto_shorthash_BYTES];
  crypto_shorthash(out, ea.data(), ea.size(), key_.data());
  std::uint64_t h;
  std::memcpy(&h, out, sizeof h);
  return static_cast<std::size_t>(h);
}

ReplayGuard::ReplayGuard(std::uint64_t window_ms, std::size_t capacity)
    : window_ms_(window_ms), capacity_(std::max<std::size_t>(capacity, 1)) {
  MutexLock lock(mutex_);
  seen_.reserve(capacity_);  // no rehash under a flood of hellos
}

bool ReplayGuard::first_sighting(const EphemeralPublic& ea, std::uint64_t now_ms) {
  MutexLock lock(mutex_);
  // Sessions read the clock before they take the lock: keep the queue in order anyway.
  if (!order_.empty()) now_ms = std::max(now_ms, order_.back().at_ms);
  forget_expired(now_ms);
  if (seen_.count(ea) != 0) return false;
  if (seen_.size() >= capacity_) {
    seen_.erase(order_.front().ea);
    order_.pop_front();
  }
  seen_.insert(ea);
  order_.push_back({now_ms, ea});
  return true;
}

std::size_t ReplayGuard::size() const {
  MutexLock lock(mutex_);
  return seen_.size();
}

void ReplayGuard::forget_expired(std::uint64_t now_ms) {
  while (!order_.empty() && now_ms - order_.front().at_ms >= window_ms_) {
    seen_.erase(order_.front().ea);
    order_.pop_front();
  }
}

}  // namespace ifex
