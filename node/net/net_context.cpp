#include "node/net/net_context.hpp"

namespace ifex {

ConnectionLimiter::Token ConnectionLimiter::acquire(const std::string& address) {
  std::lock_guard lock(mutex_);
  if (total_ >= max_total_ || per_address_[address] >= max_per_address_) return nullptr;
  ++total_;
  ++per_address_[address];
  // The token's deleter gives the slot back; the limiter outlives every connection.
  return Token(static_cast<void*>(this), [this, address](void*) {
    std::lock_guard release_lock(mutex_);
    --total_;
    if (--per_address_[address] == 0) per_address_.erase(address);
  });
}

}  // namespace ifex
