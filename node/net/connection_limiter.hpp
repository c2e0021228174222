// The node's connection budget. A connection that has not proven who it is (an HTTP client, a
// gossip handshake in progress) is "unauthenticated"; those share a smaller pool, are capped per
// address prefix, and when the node runs out of room the oldest of them is closed to make room
// for the newcomer. Authenticated gossip sessions are never evicted, so a crowd of slow HTTP
// clients cannot keep members away from their hub: a member's connection needs only the few
// milliseconds its upgrade and handshake take to become one of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <string>

#include "node/base/thread_annotations.hpp"

namespace ifex {

struct ConnectionLimits {
  std::size_t max_total = 128;             // every connection, authenticated or not
  std::size_t max_unauthenticated = 64;    // HTTP clients and unfinished handshakes
  std::size_t max_per_prefix = 8;          // unauthenticated ones per /24 (IPv4) or /64 (IPv6)
};

class ConnectionLimiter;

// One admitted connection. Dropping the last reference gives the slot back.
class ConnectionSlot {
 public:
  ~ConnectionSlot();
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

  // How to close this connection when the node needs its slot; called at most once, from the
  // limiter's caller's thread, so it must only post work to the connection's executor. Set
  // anew by each owner (the HTTP reader, then the gossip session).
  void on_evict(std::function<void()> close);
  // The peer proved its key: the slot leaves the unauthenticated pool for good.
  void authenticated();

 private:
  friend class ConnectionLimiter;
  ConnectionSlot(ConnectionLimiter& limiter, std::string prefix)
      : limiter_(limiter), prefix_(std::move(prefix)) {}
  ConnectionLimiter& limiter_;
  const std::string prefix_;
  // Guarded by limiter_.mutex_. Said, not checked: clang's analysis cannot follow a slot to
  // its limiter (the limiter's functions hold their own mutex_, which is this one).
  std::function<void()> close_;
  bool unauthenticated_ = true;
  bool evicted_ = false;
  std::list<ConnectionSlot*>::iterator position_;  // in the limiter's age order, while unauthenticated
};

// Thread-safe: sessions on the network thread and the verify pool acquire and release slots;
// every member below mutex_ is guarded by it, and so is the state of its slots.
class ConnectionLimiter {
 public:
  explicit ConnectionLimiter(ConnectionLimits limits) : limits_(limits) {}
  using Token = std::shared_ptr<ConnectionSlot>;

  enum class Refusal { none, prefix_full, node_full };
  struct Admission {
    Token slot;                       // nullptr when refused
    Refusal refusal = Refusal::none;
    bool evicted_another = false;     // the oldest unauthenticated connection was closed for it
  };
  // `prefix` as made by address_prefix().
  Admission acquire(const std::string& prefix) EXCLUDES(mutex_);

  std::size_t unauthenticated() const EXCLUDES(mutex_);
  std::size_t total() const EXCLUDES(mutex_);

 private:
  friend class ConnectionSlot;
  void leave_pool(ConnectionSlot& slot) REQUIRES(mutex_);
  void release(ConnectionSlot& slot) EXCLUDES(mutex_);
  void mark_authenticated(ConnectionSlot& slot) EXCLUDES(mutex_);
  void set_close(ConnectionSlot& slot, std::function<void()> close) EXCLUDES(mutex_);

  mutable Mutex mutex_;
  const ConnectionLimits limits_;
  std::size_t total_ GUARDED_BY(mutex_) = 0;
  std::list<ConnectionSlot*> unauthenticated_by_age_ GUARDED_BY(mutex_);  // oldest first
  std::map<std::string, std::size_t> unauthenticated_per_prefix_ GUARDED_BY(mutex_);
};

}  // namespace ifex
