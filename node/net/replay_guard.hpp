// The server's memory of recent hellos (docs/protocol.md, "Message 1: hello", step 4): the
// client ephemeral keys (EA) of the MAC-valid hellos seen in the last `window_ms`, so that a
// recorded hello replayed to the node it names is dropped as silently as one with a wrong MAC,
// before the node spends an ephemeral key and two X25519 operations on it.
//
// Bounded: at most `capacity` keys, the oldest forgotten first. The set is hashed with SipHash
// (crypto_shorthash) under a key drawn at random per guard, so nobody can pick hellos whose keys
// collide in one bucket and slow every lookup down. One guard per node, shared by every session;
// thread-safe. Pure otherwise: time is handed in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_set>

#include "node/base/thread_annotations.hpp"
#include "protocol/handshake.hpp"

namespace ifex {

// SipHash-2-4 of an ephemeral key under a secret 16-byte key (libsodium's crypto_shorthash).
class EphemeralHasher {
 public:
  // A fresh random key.
  EphemeralHasher();
  // REQUIRES: key.size() == 16. For tests.
  explicit EphemeralHasher(ByteView key);
  std::size_t operator()(const EphemeralPublic& ea) const;

 private:
  std::array<std::uint8_t, 16> key_{};
};

class ReplayGuard {
 public:
  static constexpr std::size_t default_capacity = 65'536;

  explicit ReplayGuard(std::uint64_t window_ms, std::size_t capacity = default_capacity);

  // True the first time `ea` is seen within the window (it is now remembered); false when it is
  // a repeat, i.e. a replayed hello. `now_ms` is a monotonic clock.
  [[nodiscard]] bool first_sighting(const EphemeralPublic& ea, std::uint64_t now_ms)
      EXCLUDES(mutex_);
  std::size_t size() const EXCLUDES(mutex_);

 private:
  void forget_expired(std::uint64_t now_ms) REQUIRES(mutex_);

  struct Sighting {
    std::uint64_t at_ms;
    EphemeralPublic ea;
  };
  const std::uint64_t window_ms_;
  const std::size_t capacity_;
  mutable Mutex mutex_;
  std::unordered_set<EphemeralPublic, EphemeralHasher> seen_ GUARDED_BY(mutex_);
  std::deque<Sighting> order_ GUARDED_BY(mutex_);  // oldest first
};

}  // namespace ifex
