// Both sides of the handshake state machine (protocol/handshake.hpp) fed attacker bytes at each
// step; the input layout is in handshake_script.hpp. Properties checked besides "no crash":
//   - an honest peer always completes, and both ends derive the same keys and transcript;
//   - any change to an honest peer's second message (auth or accept) is refused;
//   - a step repeated after the handshake ended is refused.
#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "fuzz_check.hpp"
#include "fuzz_fixtures.hpp"
#include "fuzz_input.hpp"
#include "handshake_script.hpp"
#include "protocol/handshake.hpp"

namespace ifex {
namespace {

using fuzz::FuzzInput;

// Message 1 or 2 with a correct MAC over an attacker-chosen point: HMAC_N(tag || first || second)
// as docs/protocol.md ("Handshake") specifies, computed here from the spec, not the code.
Bytes forge(std::string_view tag, ByteView first, ByteView second, ByteView point) {
  Bytes msg(tag.begin(), tag.end());
  msg.insert(msg.end(), first.begin(), first.end());
  msg.insert(msg.end(), second.begin(), second.end());
  std::uint8_t mac[crypto_auth_BYTES];
  crypto_auth(mac, msg.data(), msg.size(), fuzz::network_key().bytes.data());
  Bytes out(point.begin(), point.end());
  out.insert(out.end(), mac, mac + sizeof mac);
  return out;
}

// XORs `mask` over the start of `message`; true when that changed anything.
bool apply_mask(Bytes& message, const Bytes& mask) {
  bool changed = false;
  for (std::size_t i = 0; i < mask.size() && i < message.size(); ++i) {
    message[i] ^= mask[i];
    changed |= mask[i] != 0;
  }
  return changed;
}

bool same(const SecretBytes& a, const SecretBytes& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void check_matching(const SessionKeys& client, const SessionKeys& server) {
  FUZZ_CHECK(client.transcript == server.transcript);
  FUZZ_CHECK(same(client.send_key, server.recv_key));
  FUZZ_CHECK(same(client.recv_key, server.send_key));
}

void test_server(FuzzInput& in, std::uint8_t flags) {
  const NetworkKey net = fuzz::network_key();
  const Identity& me = fuzz::server_identity();
  ServerHandshake server(net, me);
  auto ephemeral = [] {
    return EphemeralKey::from_seed(fuzz::ephemeral_seed(fuzz::server_ephemeral_fill));
  };

  std::optional<Identity> peer_id;
  std::optional<ClientHandshake> peer;
  Bytes hello;
  switch (flags & fuzz::hs::mode_mask) {
    case fuzz::hs::forged_mac: {
      Bytes ea = in.fixed(32);
      hello = forge("ifex-hs/1 hello", ea, me.public_key().view(), ea);
      break;
    }
    case fuzz::hs::honest_peer:
      peer_id.emplace(test::seeded_identity(in.u8()));
      peer.emplace(net, *peer_id, me.public_key(), EphemeralKey::from_seed(in.fixed(32)));
      hello = peer->hello();
      break;
    default:
      hello = in.chunk();
  }

  auto reply = server.on_hello(hello, ephemeral());
  if (peer) FUZZ_CHECK(reply);
  if (!reply) {
    FUZZ_CHECK(!server.on_auth(in.chunk()));  // failed for good
    return;
  }
  FUZZ_CHECK(reply->size() == hs_reply_size);

  Bytes auth;
  bool altered = false;
  if (peer) {
    auto honest_auth = peer->on_reply(*reply);
    FUZZ_CHECK(honest_auth);
    auth = *honest_auth;
    altered = apply_mask(auth, in.chunk());
  } else {
    auth = in.chunk();
  }
  auto client_key = server.on_auth(auth);
  if (peer) FUZZ_CHECK(altered ? !client_key : client_key && *client_key == peer_id->public_key());
  if (!client_key) return;

  auto [accept, server_keys] = server.accept();
  FUZZ_CHECK(accept.size() == hs_accept_size);
  FUZZ_CHECK(server_keys.peer == *client_key);
  if (peer) {
    auto client_keys = peer->on_accept(accept);
    FUZZ_CHECK(client_keys);
    check_matching(*client_keys, server_keys);
  }
  if (flags & fuzz::hs::replay) {
    FUZZ_CHECK(!server.on_hello(hello, ephemeral()));
    FUZZ_CHECK(!server.on_auth(auth));
  }
}

void test_client(FuzzInput& in, std::uint8_t flags) {
  const NetworkKey net = fuzz::network_key();
  const Identity& me = fuzz::client_identity();
  const PublicKey expected = fuzz::server_identity().public_key();
  ClientHandshake client(net, me, expected,
                         EphemeralKey::from_seed(fuzz::ephemeral_seed(fuzz::client_ephemeral_fill)));
  const Bytes hello = client.hello();
  FUZZ_CHECK(hello.size() == hs_hello_size);

  std::optional<Identity> peer_id;
  std::optional<ServerHandshake> peer;
  Bytes reply;
  switch (flags & fuzz::hs::mode_mask) {
    case fuzz::hs::forged_mac: {
      Bytes eb = in.fixed(32);
      reply = forge("ifex-hs/1 reply", ByteView(hello).first(32), eb, eb);
      break;
    }
    case fuzz::hs::honest_peer: {
      peer_id.emplace(test::seeded_identity(in.u8()));
      peer.emplace(net, *peer_id);
      auto honest_reply = peer->on_hello(hello, EphemeralKey::from_seed(in.fixed(32)));
      // The hello names the expected server: any other node refuses it.
      FUZZ_CHECK(honest_reply.ok() == (peer_id->public_key() == expected));
      if (!honest_reply) return;
      reply = *honest_reply;
      break;
    }
    default:
      reply = in.chunk();
  }

  auto auth = client.on_reply(reply);
  if (peer) FUZZ_CHECK(auth);
  if (!auth) {
    FUZZ_CHECK(!client.on_accept(in.chunk()));  // failed for good
    return;
  }
  FUZZ_CHECK(auth->size() == hs_auth_size);

  Bytes accept;
  bool altered = false;
  std::optional<SessionKeys> server_keys;
  if (peer) {
    auto who = peer->on_auth(*auth);
    FUZZ_CHECK(who && *who == me.public_key());
    auto [message, keys] = peer->accept();
    server_keys = std::move(keys);
    accept = std::move(message);
    altered = apply_mask(accept, in.chunk());
  } else {
    accept = in.chunk();
  }
  auto keys = client.on_accept(accept);
  if (peer) {
    FUZZ_CHECK(keys.ok() == !altered);
    if (keys) check_matching(*keys, *server_keys);
  }
  if (keys) FUZZ_CHECK(keys->peer == expected);
  if (flags & fuzz::hs::replay) {
    FUZZ_CHECK(!client.on_reply(reply));
    FUZZ_CHECK(!client.on_accept(accept));
  }
}

}  // namespace
}  // namespace ifex

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ifex::fuzz::FuzzInput in(data, size);
  const std::uint8_t flags = in.u8();
  if (flags & ifex::fuzz::hs::test_client)
    ifex::test_client(in, flags);
  else
    ifex::test_server(in, flags);
  return 0;
}
