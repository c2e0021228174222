#include "keys/identity.hpp"

#include <sodium.h>

#include <cstring>
#include <mutex>
#include <stdexcept>

namespace ifex {

void init_crypto() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  });
}

Identity Identity::generate() {
  init_crypto();
  SecretBytes seed(seed_size);
  randombytes_buf(seed.data(), seed.size());
  return from_seed(seed.view());
}

Identity Identity::from_seed(ByteView seed) {
  init_crypto();
  if (seed.size() != seed_size) throw std::invalid_argument("Ed25519 seed must be 32 bytes");
  SecretBytes secret(crypto_sign_SECRETKEYBYTES);
  PublicKey public_key;
  crypto_sign_seed_keypair(public_key.data(), secret.data(), seed.data());
  return Identity(std::move(secret), public_key);
}

namespace {
// The copy that puts the domain in front is cheap next to the signature arithmetic.
template <class Fn>
auto with_domain(std::string_view domain, ByteView message, Fn&& fn) {
  Bytes framed(domain.size() + message.size());
  if (!domain.empty()) std::memcpy(framed.data(), domain.data(), domain.size());
  if (!message.empty()) std::memcpy(framed.data() + domain.size(), message.data(), message.size());
  return fn(ByteView(framed));
}
}  // namespace

Signature Identity::sign(std::string_view domain, ByteView message) const {
  Signature out;
  with_domain(domain, message, [&](ByteView framed) {
    crypto_sign_detached(out.data(), nullptr, framed.data(), framed.size(), secret_.data());
    return 0;
  });
  return out;
}

std::optional<SecretBytes> Identity::key_exchange(ByteView peer_x25519_public) const {
  if (peer_x25519_public.size() != crypto_scalarmult_BYTES) return std::nullopt;
  SecretBytes own(crypto_scalarmult_SCALARBYTES);
  crypto_sign_ed25519_sk_to_curve25519(own.data(), secret_.data());
  SecretBytes shared(crypto_scalarmult_BYTES);
  if (crypto_scalarmult(shared.data(), own.data(), peer_x25519_public.data()) != 0)
    return std::nullopt;
  return shared;
}

bool is_usable_public_key(const PublicKey& key) {
  init_crypto();
  return crypto_core_ed25519_is_valid_point(key.data()) == 1;
}

bool sodium_refuses_mixed_order_keys() {
  init_crypto();
  // RFC 8032's first test key, and (0, -1): the order-2 component CVE-2025-69277 let through.
  auto real =
      PublicKey::from_hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  auto order2 =
      PublicKey::from_hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
  PublicKey mixed;
  if (crypto_core_ed25519_add(mixed.data(), real->data(), order2->data()) != 0) return false;
  return !is_usable_public_key(mixed) && !x25519_public_of(mixed);
}

std::optional<std::array<std::uint8_t, 32>> x25519_public_of(const PublicKey& key) {
  std::array<std::uint8_t, 32> out;
  if (crypto_sign_ed25519_pk_to_curve25519(out.data(), key.data()) != 0) return std::nullopt;
  return out;
}

bool verify_signature(const PublicKey& key, std::string_view domain, ByteView message,
                      const Signature& signature) {
  return with_domain(domain, message, [&](ByteView framed) {
    return crypto_sign_verify_detached(signature.data(), framed.data(), framed.size(),
                                       key.data()) == 0;
  });
}

}  // namespace ifex
