// Identity: an Ed25519 key pair whose secret half lives in guarded memory (see SecretBytes).
// Signatures are domain-separated: what is signed is `domain || message`, so a signature made
// for one purpose (an entry, a handshake) can never be replayed as another. Domains are listed
// in docs/protocol.md.
//
// Thread safety: a const Identity may be used from several threads at once.
#pragma once

#include <optional>
#include <string_view>

#include "keys/bytes.hpp"
#include "keys/secret_bytes.hpp"

namespace ifex {

// Idempotent, thread-safe libsodium initialisation. Throws std::runtime_error if libsodium
// cannot initialise (no entropy source), since nothing safe can be done without it.
void init_crypto();

class Identity {
 public:
  static constexpr std::size_t seed_size = 32;

  // A fresh key pair from the operating system's random source.
  static Identity generate();
  // The key pair determined by a 32-byte seed (key files store the seed).
  // REQUIRES: seed.size() == seed_size.
  static Identity from_seed(ByteView seed);

  const PublicKey& public_key() const { return public_key_; }
  // The 32-byte seed, for writing a key file. Never log or send it.
  ByteView seed() const { return {secret_.data(), seed_size}; }

  Signature sign(std::string_view domain, ByteView message) const;

  // X25519 of this identity's secret (converted from Ed25519) with a peer's X25519 public point,
  // as the handshake's long-term key exchange needs. nullopt when the point is of low order
  // (the result would be all zero), which an honest peer never sends.
  std::optional<SecretBytes> key_exchange(ByteView peer_x25519_public) const;

 private:
  Identity(SecretBytes secret, PublicKey public_key)
      : secret_(std::move(secret)), public_key_(public_key) {}
  SecretBytes secret_;  // libsodium's 64-byte secret key: seed || public key
  PublicKey public_key_;
};

// True when `key` is a point an Ed25519 key pair can have: canonical, on the curve, not of small
// order, in the prime-order subgroup (libsodium's crypto_core_ed25519_is_valid_point). No seed
// gives any other point, so a key that fails (the identity 01 00..00, the other small-order
// points, a prime-order point plus a small-order one) is nobody's key; a signature "under" a
// small-order key proves nothing. Needs a libsodium with the fix of CVE-2025-69277, which made
// the subgroup check refuse points with a component of order 2 (docs/keys.md).
[[nodiscard]] bool is_usable_public_key(const PublicKey& key);
// False on a libsodium without that fix: it tries a real key plus the point of order 2 on both
// checks the node relies on (is_usable_public_key and x25519_public_of). The node warns at start.
[[nodiscard]] bool sodium_refuses_mixed_order_keys();

// The X25519 form of an Ed25519 public key; nullopt for an invalid or small-order key.
std::optional<std::array<std::uint8_t, 32>> x25519_public_of(const PublicKey& key);

// True when `signature` is `key`'s signature of `domain || message`. libsodium rejects
// non-canonical signatures and small-order keys, so a valid signature cannot be malleated.
[[nodiscard]] bool verify_signature(const PublicKey& key, std::string_view domain,
                                    ByteView message, const Signature& signature);

}  // namespace ifex
