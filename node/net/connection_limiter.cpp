#include "node/net/connection_limiter.hpp"

namespace ifex {

ConnectionSlot::~ConnectionSlot() { limiter_.release(*this); }

void ConnectionSlot::on_evict(std::function<void()> close) { limiter_.set_close(*this, std::move(close)); }

void ConnectionSlot::authenticated() { limiter_.mark_authenticated(*this); }

ConnectionLimiter::Admission ConnectionLimiter::acquire(const std::string& prefix) {
  std::function<void()> close_victim;
  Admission out;
  {
    MutexLock lock(mutex_);
    if (unauthenticated_per_prefix_[prefix] >= limits_.max_per_prefix) {
      if (unauthenticated_per_prefix_[prefix] == 0) unauthenticated_per_prefix_.erase(prefix);
      out.refusal = Refusal::prefix_full;
      return out;
    }
    if (total_ >= limits_.max_total || unauthenticated_by_age_.size() >= limits_.max_unauthenticated) {
      if (unauthenticated_by_age_.empty()) {
        out.refusal = Refusal::node_full;
        return out;
      }
      // The victim's slot is counted free at once (its close is asynchronous), so the number
      // of open descriptors may exceed the budget briefly, by the evictions in flight.
      ConnectionSlot* victim = unauthenticated_by_age_.front();
      leave_pool(*victim);
      --total_;
      victim->evicted_ = true;
      close_victim = std::move(victim->close_);
      victim->close_ = nullptr;
      out.evicted_another = true;
    }
    out.slot = Token(new ConnectionSlot(*this, prefix));
    ++total_;
    ++unauthenticated_per_prefix_[prefix];
    out.slot->position_ = unauthenticated_by_age_.insert(unauthenticated_by_age_.end(), out.slot.get());
  }
  if (close_victim) close_victim();
  return out;
}

void ConnectionLimiter::leave_pool(ConnectionSlot& slot) {
  if (!slot.unauthenticated_) return;
  slot.unauthenticated_ = false;
  unauthenticated_by_age_.erase(slot.position_);
  if (--unauthenticated_per_prefix_[slot.prefix_] == 0) unauthenticated_per_prefix_.erase(slot.prefix_);
}

void ConnectionLimiter::release(ConnectionSlot& slot) {
  MutexLock lock(mutex_);
  if (slot.evicted_) return;  // already given back when it was chosen
  leave_pool(slot);
  --total_;
}

void ConnectionLimiter::mark_authenticated(ConnectionSlot& slot) {
  MutexLock lock(mutex_);
  leave_pool(slot);
}

void ConnectionLimiter::set_close(ConnectionSlot& slot, std::function<void()> close) {
  bool close_now = false;
  {
    MutexLock lock(mutex_);
    if (slot.evicted_) {
      close_now = true;  // chosen before its owner could say how to close it
    } else {
      slot.close_ = std::move(close);
    }
  }
  if (close_now && close) close();
}

std::size_t ConnectionLimiter::unauthenticated() const {
  MutexLock lock(mutex_);
  return unauthenticated_by_age_.size();
}

std::size_t ConnectionLimiter::total() const {
  MutexLock lock(mutex_);
  return total_;
}

}  // namespace ifex
