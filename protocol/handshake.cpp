#include "protocol/handshake.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

namespace ifex {

namespace {

// Domain strings, byte-exact as in docs/protocol.md ("Handshake"). None is a prefix of another,
// and what follows each tag has a fixed length, so no two derivations can share an input.
constexpr std::string_view hello_tag = "ifex-hs/1 hello";
constexpr std::string_view reply_tag = "ifex-hs/1 reply";
constexpr std::string_view transcript_tag = "ifex-hs/1 transcript";
constexpr std::string_view k3_tag = "ifex-hs/1 k3";
constexpr std::string_view k4_tag = "ifex-hs/1 k4";
constexpr std::string_view session_tag = "ifex-hs/1 session";
constexpr std::string_view c2s_tag = "ifex-hs/1 client to server";
constexpr std::string_view s2c_tag = "ifex-hs/1 server to client";
constexpr std::string_view client_domain = "ifexnode/handshake/client/v1";
constexpr std::string_view server_domain = "ifexnode/handshake/server/v1";

using Point = std::array<std::uint8_t, 32>;

ByteView view(const Point& p) {
  return {p.data(), p.size()};
}

Point point_at(ByteView bytes) {
  Point p;
  std::memcpy(p.data(), bytes.data(), p.size());
  return p;
}

// libsodium's list of X25519 encodings of small order (0, 1, the two points of order 8, p - 1,
// and the non-canonical p and p + 1), compared with bit 255 cleared as X25519 ignores it. A
// shared secret with one of them is known to anyone whatever the other key, so they are refused
// explicitly rather than trusting every libsodium build to refuse them inside crypto_scalarmult.
bool is_low_order(const Point& p) {
  static constexpr std::string_view low_order_hex[] = {
      "0000000000000000000000000000000000000000000000000000000000000000",  // 0
      "0100000000000000000000000000000000000000000000000000000000000000",  // 1
      "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",  // order 8
      "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",  // order 8
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // p - 1
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // p
      "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // p + 1
  };
  Point cleared = p;
  cleared[31] &= 0x7f;
  const std::string hex = to_hex(view(cleared));
  for (auto bad : low_order_hex)
    if (hex == bad) return true;
  return false;
}

Bytes concat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (auto p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// HMAC-SHA-512-256 keyed with the network key (crypto_auth). The parts are all public.
std::array<std::uint8_t, crypto_auth_BYTES> network_mac(const SecretBytes& n,
                                                        std::initializer_list<ByteView> parts) {
  Bytes msg = concat(parts);
  std::array<std::uint8_t, crypto_auth_BYTES> mac;
  crypto_auth(mac.data(), msg.data(), msg.size(), n.data());
  return mac;
}

[[nodiscard]] bool network_mac_ok(const SecretBytes& n, ByteView mac,
                                  std::initializer_list<ByteView> parts) {
  Bytes msg = concat(parts);
  return crypto_auth_verify(mac.data(), msg.data(), msg.size(), n.data()) == 0;
}

// BLAKE2b-256 keyed with `key` over the concatenated parts, streamed so that no secret part is
// copied outside guarded memory.
SecretBytes keyed_hash(ByteView key, std::initializer_list<ByteView> parts) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, key.data(), key.size(), 32);
  for (auto p : parts) crypto_generichash_update(&state, p.data(), p.size());
  SecretBytes out(32);
  crypto_generichash_final(&state, out.data(), 32);
  sodium_memzero(&state, sizeof state);
  return out;
}

Hash transcript_of(const SecretBytes& n, const PublicKey& server, ByteView hello, ByteView reply) {
  SecretBytes t = keyed_hash(n.view(), {as_bytes(transcript_tag), server.view(), hello, reply});
  return *Hash::from(t.view());
}

std::optional<SecretBytes> dh(const SecretBytes& secret, const Point& point) {
  if (is_low_order(point)) return std::nullopt;
  SecretBytes shared(crypto_scalarmult_BYTES);
  // libsodium also refuses (-1) when the result is all zero.
  if (crypto_scalarmult(shared.data(), secret.data(), point.data()) != 0) return std::nullopt;
  return shared;
}

// The X25519 form of a long-term key, refused when it is not a usable key.
std::optional<Point> long_term_point(const PublicKey& key) {
  auto x = x25519_public_of(key);
  if (!x || is_low_order(*x)) return std::nullopt;
  return x;
}

// Each AEAD key (k3, k4) encrypts exactly one message, so the fixed zero nonce is never reused
// under one key. The transcript is the associated data.
Bytes seal(const SecretBytes& key, ByteView plain, const Hash& ad) {
  Bytes out(plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  const std::uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES] = {};
  unsigned long long n = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data(), &n, plain.data(), plain.size(), ad.data(),
                                             ad.size, nullptr, nonce, key.data());
  return out;
}

std::optional<SecretBytes> open(const SecretBytes& key, ByteView sealed, const Hash& ad) {
  if (sealed.size() < crypto_aead_xchacha20poly1305_ietf_ABYTES) return std::nullopt;
  SecretBytes plain(sealed.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES);
  const std::uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES] = {};
  unsigned long long n = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &n, nullptr, sealed.data(),
                                                 sealed.size(), ad.data(), ad.size, nonce,
                                                 key.data()) != 0)
    return std::nullopt;
  return plain;
}

Hash hash_of(const SecretBytes& s) {
  return blake2b_256({s.view()});
}

SecretBytes k3_of(const SecretBytes& n, const Hash& t, const SecretBytes& ab,
                  const SecretBytes& a_b) {
  return keyed_hash(n.view(), {as_bytes(k3_tag), t.view(), ab.view(), a_b.view()});
}

SecretBytes k4_of(const SecretBytes& n, const Hash& t, const PublicKey& client,
                  const SecretBytes& ab, const SecretBytes& a_b, const SecretBytes& ab_long) {
  return keyed_hash(
      n.view(), {as_bytes(k4_tag), t.view(), client.view(), ab.view(), a_b.view(), ab_long.view()});
}

// What each side signs. The network key is not in it: T is keyed with it, and Identity::sign
// copies its message outside guarded memory.
Bytes client_signed_part(const PublicKey& server, const Hash& t, const Hash& h_ab) {
  return concat({server.view(), t.view(), h_ab.view()});
}

Bytes server_signed_part(const PublicKey& client, const Hash& t, const Hash& h_ab,
                         const Signature& client_sig) {
  return concat({client.view(), t.view(), h_ab.view(), client_sig.view()});
}

SessionKeys session(const SecretBytes& n, const Hash& t, const PublicKey& client,
                    const SecretBytes& ab, const SecretBytes& a_b, const SecretBytes& ab_long,
                    const PublicKey& peer, bool is_client) {
  SecretBytes master = keyed_hash(n.view(), {as_bytes(session_tag), t.view(), client.view(),
                                             ab.view(), a_b.view(), ab_long.view()});
  SecretBytes c2s = keyed_hash(master.view(), {as_bytes(c2s_tag)});
  SecretBytes s2c = keyed_hash(master.view(), {as_bytes(s2c_tag)});
  SessionKeys keys{peer, SecretBytes(), SecretBytes(), t};
  keys.send_key = is_client ? std::move(c2s) : std::move(s2c);
  keys.recv_key = is_client ? std::move(s2c) : std::move(c2s);
  return keys;
}

Error hs_error(std::string code, std::string message) {
  return make_error(std::move(code), "handshake: " + std::move(message));
}

std::string wrong_size(std::string_view what, std::size_t got, std::size_t want) {
  return std::string(what) + " is " + std::to_string(got) + " bytes, not " + std::to_string(want);
}

}  // namespace

EphemeralKey EphemeralKey::from_seed(ByteView seed) {
  init_crypto();
  if (seed.size() != crypto_scalarmult_SCALARBYTES)
    throw std::invalid_argument("ephemeral seed must be 32 bytes");
  EphemeralKey k;
  k.secret_ = SecretBytes::copy_of(seed);
  crypto_scalarmult_base(k.public_.data(), k.secret_.data());
  return k;
}

// ---- client ----

ClientHandshake::ClientHandshake(const NetworkKey& network, const Identity& me,
                                 const PublicKey& expected_server, EphemeralKey ephemeral)
    : network_(SecretBytes::copy_of(network.view())),
      me_(me),
      server_(expected_server),
      eph_(std::move(ephemeral)) {
  const Point& ea = eph_->public_key();
  // B is in the MAC, so a hello replayed to any other node is refused as a wrong network key.
  auto mac = network_mac(network_, {as_bytes(hello_tag), view(ea), server_.view()});
  hello_ = concat({view(ea), {mac.data(), mac.size()}});
}

Error ClientHandshake::fail(std::string code, std::string message) {
  step_ = Step::failed;
  eph_.reset();
  ab_.reset();
  a_b_.reset();
  ab_long_.reset();
  return hs_error(std::move(code), std::move(message));
}

Result<Bytes> ClientHandshake::on_reply(ByteView reply) {
  if (step_ != Step::await_reply) return fail("hs_state", "reply out of order");
  if (reply.size() != hs_reply_size)
    return fail("hs_malformed", wrong_size("reply", reply.size(), hs_reply_size));
  const Point eb = point_at(reply.first(32));
  if (!network_mac_ok(network_, reply.subspan(32, 32),
                      {as_bytes(reply_tag), view(eph_->public_key()), view(eb)}))
    return fail("hs_network_key", "the reply is not authenticated by our network key");
  if (is_low_order(eb)) return fail("hs_low_order", "low-order ephemeral key in the reply");
  auto server_x = long_term_point(server_);
  if (!server_x) return fail("hs_bad_key", "the expected server key is not a usable key");

  transcript_ = transcript_of(network_, server_, hello_, reply);
  ab_ = dh(eph_->secret(), eb);
  a_b_ = dh(eph_->secret(), *server_x);
  ab_long_ = me_.key_exchange(view(eb));
  if (!ab_ || !a_b_ || !ab_long_) return fail("hs_low_order", "all-zero shared secret");
  eph_.reset();

  my_sig_ = me_.sign(client_domain, client_signed_part(server_, transcript_, hash_of(*ab_)));
  Bytes plain = concat({me_.public_key().view(), my_sig_.view()});
  step_ = Step::await_accept;
  return seal(k3_of(network_, transcript_, *ab_, *a_b_), plain, transcript_);
}

Result<SessionKeys> ClientHandshake::on_accept(ByteView accept) {
  if (step_ != Step::await_accept) return fail("hs_state", "accept out of order");
  if (accept.size() != hs_accept_size)
    return fail("hs_malformed", wrong_size("accept", accept.size(), hs_accept_size));
  const PublicKey& me = me_.public_key();
  auto plain = open(k4_of(network_, transcript_, me, *ab_, *a_b_, *ab_long_), accept, transcript_);
  if (!plain)
    return fail("hs_server_proof",
                "the accept does not decrypt: the server does not hold the expected key, or the "
                "message was altered");
  Signature server_sig = *Signature::from(plain->view());
  if (!verify_signature(server_, server_domain,
                        server_signed_part(me, transcript_, hash_of(*ab_), my_sig_), server_sig))
    return fail("hs_server_proof", "the server's signature does not verify");
  SessionKeys keys = session(network_, transcript_, me, *ab_, *a_b_, *ab_long_, server_, true);
  ab_.reset();
  a_b_.reset();
  ab_long_.reset();
  step_ = Step::done;
  return keys;
}

// ---- server ----

ServerHandshake::ServerHandshake(const NetworkKey& network, const Identity& me)
    : network_(SecretBytes::copy_of(network.view())), me_(me) {}

Error ServerHandshake::fail(std::string code, std::string message) {
  step_ = Step::failed;
  eph_.reset();
  ab_.reset();
  a_b_.reset();
  ab_long_.reset();
  return hs_error(std::move(code), std::move(message));
}

Result<EphemeralPublic> ServerHandshake::read_hello(ByteView hello) {
  if (step_ != Step::await_hello) return fail("hs_state", "hello out of order");
  if (hello.size() != hs_hello_size)
    return fail("hs_malformed", wrong_size("hello", hello.size(), hs_hello_size));
  const Point ea = point_at(hello.first(32));
  if (!network_mac_ok(network_, hello.subspan(32, 32),
                      {as_bytes(hello_tag), view(ea), me_.public_key().view()}))
    return fail("hs_network_key",
                "the hello is not authenticated by our network key and our node key");
  if (is_low_order(ea)) return fail("hs_low_order", "low-order ephemeral key in the hello");
  hello_.assign(hello.begin(), hello.end());
  step_ = Step::await_reply;
  return ea;
}

Result<Bytes> ServerHandshake::reply(EphemeralKey ephemeral) {
  if (step_ != Step::await_reply) return fail("hs_state", "reply before a valid hello");
  eph_.emplace(std::move(ephemeral));
  const Point ea = point_at(ByteView(hello_).first(32));
  ab_ = dh(eph_->secret(), ea);
  a_b_ = me_.key_exchange(view(ea));
  if (!ab_ || !a_b_) return fail("hs_low_order", "all-zero shared secret");

  const Point& eb = eph_->public_key();
  auto mac = network_mac(network_, {as_bytes(reply_tag), view(ea), view(eb)});
  Bytes reply = concat({view(eb), {mac.data(), mac.size()}});
  transcript_ = transcript_of(network_, me_.public_key(), hello_, reply);
  step_ = Step::await_auth;
  return reply;
}

Result<Bytes> ServerHandshake::on_hello(ByteView hello, EphemeralKey ephemeral) {
  auto ea = read_hello(hello);
  if (!ea) return ea.error();
  return reply(std::move(ephemeral));
}

Result<PublicKey> ServerHandshake::on_auth(ByteView auth) {
  if (step_ != Step::await_auth) return fail("hs_state", "auth out of order");
  if (auth.size() != hs_auth_size)
    return fail("hs_malformed", wrong_size("auth", auth.size(), hs_auth_size));
  auto plain = open(k3_of(network_, transcript_, *ab_, *a_b_), auth, transcript_);
  if (!plain)
    return fail("hs_client_proof",
                "the auth does not decrypt: the client expected another "
                "server key, or the message was altered");
  const PublicKey client = *PublicKey::from(plain->view().first(32));
  const Signature client_sig = *Signature::from(plain->view().subspan(32, 64));
  auto client_x = long_term_point(client);
  if (!client_x) return fail("hs_bad_key", "the client's key is not a usable key");
  if (!verify_signature(client, client_domain,
                        client_signed_part(me_.public_key(), transcript_, hash_of(*ab_)),
                        client_sig))
    return fail("hs_client_proof", "the client's signature does not verify");
  ab_long_ = dh(eph_->secret(), *client_x);
  if (!ab_long_) return fail("hs_low_order", "all-zero shared secret");
  eph_.reset();
  client_ = client;
  client_sig_ = client_sig;
  step_ = Step::verified;
  return client_;
}

std::pair<Bytes, SessionKeys> ServerHandshake::accept() {
  if (step_ != Step::verified) {
    (void)fail("hs_state", "accept out of order");
    throw std::logic_error("ServerHandshake::accept without a verified auth");
  }
  Signature sig =
      me_.sign(server_domain, server_signed_part(client_, transcript_, hash_of(*ab_), client_sig_));
  Bytes message =
      seal(k4_of(network_, transcript_, client_, *ab_, *a_b_, *ab_long_), sig.view(), transcript_);
  SessionKeys keys =
      session(network_, transcript_, client_, *ab_, *a_b_, *ab_long_, client_, false);
  ab_.reset();
  a_b_.reset();
  ab_long_.reset();
  step_ = Step::done;
  return {std::move(message), std::move(keys)};
}

}  // namespace ifex
