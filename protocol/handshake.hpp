// The gossip handshake (ifex-hs/1): mutual authentication of two nodes of one federation, in the
// spirit of Secure Scuttlebutt's Secret Handshake with the fixes of its second version (public
// keys bound into every derived key, low-order points refused). Byte layout, key schedule and
// security argument: docs/protocol.md ("Handshake").
//
//   N network key, A/B client/server Ed25519 keys, a/b ephemeral X25519 secrets, EA/EB their
//   public keys, T = BLAKE2b_N("ifex-hs/1 transcript" || B || hello || reply):
//   1. client -> server  hello   EA || HMAC_N("ifex-hs/1 hello" || EA || B)                 64 B
//   2. server -> client  reply   EB || HMAC_N("ifex-hs/1 reply" || EA || EB)                64 B
//   3. client -> server  auth    AEAD_K3(A || sig_A(B || T || H(ab)))                    112 B
//   4. server -> client  accept  AEAD_K4(sig_B(A || T || H(ab) || sig_A))                 80 B
//
// Pure state machines: bytes in, bytes out. The ephemeral key is handed in (randomness comes from
// the caller), so tests and fuzzers drive both sides deterministically. Each step may be taken
// once, in order; any failure leaves the object failed for good. Ephemeral secrets and shared
// secrets are wiped as soon as the handshake no longer needs them (forward secrecy).
// Not thread-safe: one owner at a time.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <utility>

#include "keys/bytes.hpp"
#include "keys/identity.hpp"
#include "keys/result.hpp"
#include "keys/secret_bytes.hpp"
#include "protocol/network_key.hpp"

namespace ifex {

inline constexpr std::size_t hs_hello_size = 64;
inline constexpr std::size_t hs_reply_size = 64;
inline constexpr std::size_t hs_auth_size = 112;
inline constexpr std::size_t hs_accept_size = 80;

// The public half of an ephemeral key: EA or EB (an X25519 point).
using EphemeralPublic = std::array<std::uint8_t, 32>;

// An X25519 key pair used for one handshake only.
class EphemeralKey {
 public:
  // REQUIRES: seed.size() == 32 (fresh random bytes from the caller, never reused).
  static EphemeralKey from_seed(ByteView seed);
  const EphemeralPublic& public_key() const { return public_; }
  const SecretBytes& secret() const { return secret_; }

 private:
  SecretBytes secret_;
  EphemeralPublic public_{};
};

// What a completed handshake yields: the peer's proven identity and one key per direction.
struct SessionKeys {
  PublicKey peer;
  SecretBytes send_key;  // 32 bytes, for crypto_secretstream in our sending direction
  SecretBytes recv_key;  // 32 bytes, for the peer's sending direction
  Hash transcript;       // T: identifies the session (logs, tests); not a secret
};

// Error codes of both sides (Error::code): "hs_state" (a step out of order or after a failure),
// "hs_malformed" (wrong size), "hs_network_key" (a MAC under the network key fails),
// "hs_low_order" (a low-order point or an all-zero shared secret), "hs_bad_key" (a long-term key
// that is not a usable Ed25519/X25519 key), "hs_client_proof", "hs_server_proof". Messages never
// contain key material.

class ClientHandshake {
 public:
  // `expected_server` is the key the dialer expects: a server holding another key does not even
  // answer, and a man in the middle cannot complete. The network key is copied into guarded
  // memory. REQUIRES: `me` outlives the handshake.
  ClientHandshake(const NetworkKey& network, const Identity& me, const PublicKey& expected_server,
                  EphemeralKey ephemeral);
  ClientHandshake(const NetworkKey&, Identity&&, const PublicKey&, EphemeralKey) = delete;

  // Message 1; the same bytes however often it is called.
  Bytes hello() const { return hello_; }
  // Message 2 in, message 3 out.
  [[nodiscard]] Result<Bytes> on_reply(ByteView reply);
  // Message 4 in: verifies the server's proof and returns the session keys.
  [[nodiscard]] Result<SessionKeys> on_accept(ByteView accept);

 private:
  enum class Step { await_reply, await_accept, done, failed };
  Error fail(std::string code, std::string message);

  SecretBytes network_;
  const Identity& me_;
  PublicKey server_;
  std::optional<EphemeralKey> eph_;  // dropped (wiped) once the shared secrets exist
  Bytes hello_;
  Hash transcript_;
  std::optional<SecretBytes> ab_, a_b_, ab_long_;  // a*EB, a*B, A*EB
  Signature my_sig_;
  Step step_ = Step::await_reply;
};

class ServerHandshake {
 public:
  // The network key is copied into guarded memory. REQUIRES: `me` outlives the handshake.
  ServerHandshake(const NetworkKey& network, const Identity& me);
  ServerHandshake(const NetworkKey&, Identity&&) = delete;

  // Message 1 in, in two steps so that a caller can drop a replayed hello before it spends an
  // X25519 operation on it (docs/protocol.md, "Message 1"):
  //   read_hello checks the size, the MAC and that EA is not a low-order point (no X25519 yet)
  //   and returns EA, which the caller may check against the hellos it saw recently;
  //   reply takes our ephemeral key, made only now, and returns message 2.
  // On an error the caller closes without answering: a client without the network key, or
  // dialing another key, learns nothing from us.
  [[nodiscard]] Result<EphemeralPublic> read_hello(ByteView hello);
  [[nodiscard]] Result<Bytes> reply(EphemeralKey ephemeral);
  // Both steps at once, for a caller that keeps no record of past hellos (tests, fuzzers).
  [[nodiscard]] Result<Bytes> on_hello(ByteView hello, EphemeralKey ephemeral);
  // Message 3 in: verifies the client's proof and returns its identity; the caller decides
  // whether it is welcome before calling accept().
  [[nodiscard]] Result<PublicKey> on_auth(ByteView auth);
  // Message 4 and the session keys.
  // REQUIRES: on_auth succeeded and accept() was not called yet (throws std::logic_error).
  std::pair<Bytes, SessionKeys> accept();

 private:
  enum class Step { await_hello, await_reply, await_auth, verified, done, failed };
  Error fail(std::string code, std::string message);

  SecretBytes network_;
  const Identity& me_;
  Bytes hello_;                      // kept from read_hello to the transcript
  std::optional<EphemeralKey> eph_;  // dropped (wiped) once the shared secrets exist
  Hash transcript_;
  std::optional<SecretBytes> ab_, a_b_, ab_long_;  // b*EA, B*EA, b*A
  PublicKey client_;
  Signature client_sig_;
  Step step_ = Step::await_hello;
};

}  // namespace ifex
