#include "node/net/secure_frames.hpp"

#include <sodium.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "keys/identity.hpp"
#include "protocol/handshake.hpp"

namespace ifex {
namespace {

SecretBytes key_of(std::uint8_t fill) {
  Bytes raw(frame_key_size, fill);
  return SecretBytes::copy_of(raw);
}

Bytes text(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

// A sealed stream of `count` frames "frame 0", "frame 1", ... and its header.
struct Stream {
  Bytes header;
  std::vector<Bytes> frames;
};

Stream sealed_stream(const SecretBytes& key, int count) {
  auto [sealer, header] = FrameSealer::start(key);
  Stream s{header, {}};
  for (int i = 0; i < count; ++i)
    s.frames.push_back(sealer.seal(text("frame " + std::to_string(i))));
  return s;
}

FrameOpener opener_for(const SecretBytes& key, const Bytes& header) {
  auto o = FrameOpener::start(key, header);
  REQUIRE(o);
  return std::move(*o);
}

TEST_CASE("frames round-trip in order", "[frames]") {
  SecretBytes key = key_of(1);
  auto [sealer, header] = FrameSealer::start(key);
  CHECK(header.size() == frame_header_size);
  FrameOpener opener = opener_for(key, header);
  Bytes big(128 * 1024);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i * 31);
  for (const Bytes& plain : {text("clock"), Bytes{}, big, text("entries")}) {
    Bytes frame = sealer.seal(plain);
    CHECK(frame.size() == plain.size() + frame_overhead);
    auto back = opener.open(frame);
    REQUIRE(back);
    CHECK(*back == plain);
  }
  CHECK_FALSE(opener.closed());
  CHECK_FALSE(opener.failed());
}

TEST_CASE("two streams under one key differ (random headers)", "[frames]") {
  SecretBytes key = key_of(1);
  Stream a = sealed_stream(key, 1), b = sealed_stream(key, 1);
  CHECK(a.header != b.header);
  CHECK(a.frames[0] != b.frames[0]);
}

TEST_CASE("one flipped bit fails the frame and the stream stays failed", "[frames]") {
  SecretBytes key = key_of(2);
  Stream s = sealed_stream(key, 3);
  std::size_t bits = s.frames[1].size() * 8;
  int wrongly_opened = 0;
  for (std::size_t bit = 0; bit < bits; ++bit) {
    FrameOpener o = opener_for(key, s.header);
    REQUIRE(o.open(s.frames[0]));
    Bytes bad = s.frames[1];
    bad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    auto r = o.open(bad);
    if (r) {
      ++wrongly_opened;
      continue;
    }
    CHECK(r.error().code == "frame_forged");
    CHECK(o.failed());
    // The genuine frame no longer helps: the opener is failed for good.
    auto after = o.open(s.frames[1]);
    REQUIRE_FALSE(after);
    CHECK(after.error().code == "frame_failed");
  }
  CHECK(wrongly_opened == 0);

  // A flipped bit in the header makes every frame fail.
  Bytes bad_header = s.header;
  bad_header[5] ^= 0x10;
  FrameOpener o = opener_for(key, bad_header);
  CHECK_FALSE(o.open(s.frames[0]));
}

TEST_CASE("replayed, reordered, dropped and truncated frames fail", "[frames]") {
  SecretBytes key = key_of(3);
  Stream s = sealed_stream(key, 3);
  SECTION("replay") {
    FrameOpener o = opener_for(key, s.header);
    REQUIRE(o.open(s.frames[0]));
    CHECK_FALSE(o.open(s.frames[0]));
  }
  SECTION("reorder") {
    FrameOpener o = opener_for(key, s.header);
    CHECK_FALSE(o.open(s.frames[1]));
  }
  SECTION("drop") {
    FrameOpener o = opener_for(key, s.header);
    REQUIRE(o.open(s.frames[0]));
    CHECK_FALSE(o.open(s.frames[2]));
  }
  SECTION("truncated by one byte, and shorter than the overhead") {
    for (std::size_t keep :
         {s.frames[0].size() - 1, frame_overhead, frame_overhead - 1, std::size_t{0}}) {
      CAPTURE(keep);
      FrameOpener o = opener_for(key, s.header);
      Bytes cut(s.frames[0].begin(), s.frames[0].begin() + static_cast<std::ptrdiff_t>(keep));
      auto r = o.open(cut);
      REQUIRE_FALSE(r);
      CHECK(o.failed());
    }
  }
  SECTION("a frame from another stream under the same key") {
    Stream other = sealed_stream(key, 1);
    FrameOpener o = opener_for(key, s.header);
    CHECK_FALSE(o.open(other.frames[0]));
  }
}

TEST_CASE("frames under another key fail", "[frames]") {
  Stream s = sealed_stream(key_of(4), 1);
  FrameOpener o = opener_for(key_of(5), s.header);
  auto r = o.open(s.frames[0]);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "frame_forged");
}

TEST_CASE("a final frame closes the stream cleanly", "[frames]") {
  SecretBytes key = key_of(6);
  auto [sealer, header] = FrameSealer::start(key);
  Bytes one = sealer.seal(text("last entries"));
  Bytes last = sealer.seal_final(text("bye"));
  CHECK(sealer.closed());
  CHECK_THROWS_AS(sealer.seal(text("more")), std::logic_error);
  CHECK_THROWS_AS(sealer.seal_final(), std::logic_error);

  FrameOpener o = opener_for(key, header);
  REQUIRE(o.open(one));
  CHECK_FALSE(o.closed());
  auto bye = o.open(last);
  REQUIRE(bye);
  CHECK(*bye == text("bye"));
  CHECK(o.closed());
  auto after = o.open(one);
  REQUIRE_FALSE(after);
  CHECK(after.error().code == "frame_after_close");

  // Without the final frame, the receiver cannot mistake a cut stream for a closed one.
  FrameOpener cut = opener_for(key, header);
  REQUIRE(cut.open(one));
  CHECK_FALSE(cut.closed());
}

TEST_CASE("frames with tags our sealer never sends are refused", "[frames]") {
  SecretBytes key = key_of(7);
  crypto_secretstream_xchacha20poly1305_state st;
  Bytes header(frame_header_size);
  crypto_secretstream_xchacha20poly1305_init_push(&st, header.data(), key.data());
  Bytes frame(3 + frame_overhead);
  Bytes plain = text("abc");
  crypto_secretstream_xchacha20poly1305_push(&st, frame.data(), nullptr, plain.data(), plain.size(),
                                             nullptr, 0,
                                             crypto_secretstream_xchacha20poly1305_TAG_PUSH);
  FrameOpener o = opener_for(key, header);
  auto r = o.open(frame);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "frame_bad_tag");
  CHECK(o.failed());
}

TEST_CASE("frame stream headers and keys of the wrong size are refused", "[frames]") {
  SecretBytes key = key_of(8);
  for (std::size_t n : {std::size_t{0}, frame_header_size - 1, frame_header_size + 1}) {
    auto r = FrameOpener::start(key, Bytes(n, 1));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "frame_bad_header");
  }
  SecretBytes short_key(16);
  auto r = FrameOpener::start(short_key, Bytes(frame_header_size, 1));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "frame_bad_header");
  CHECK_THROWS_AS(FrameSealer::start(short_key), std::invalid_argument);
}

TEST_CASE("frames keyed by a completed handshake flow both ways", "[frames]") {
  NetworkKey net;
  net.bytes.fill(1);
  Identity client = Identity::from_seed(Bytes(32, 10));
  Identity server = Identity::from_seed(Bytes(32, 50));
  ClientHandshake c(net, client, server.public_key(), EphemeralKey::from_seed(Bytes(32, 1)));
  ServerHandshake s(net, server);
  auto reply = s.on_hello(c.hello(), EphemeralKey::from_seed(Bytes(32, 2)));
  REQUIRE(reply);
  auto auth = c.on_reply(*reply);
  REQUIRE(auth);
  REQUIRE(s.on_auth(*auth));
  auto [accept, server_keys] = s.accept();
  auto client_keys = c.on_accept(accept);
  REQUIRE(client_keys);

  auto [c_sealer, c_header] = FrameSealer::start(client_keys->send_key);
  auto [s_sealer, s_header] = FrameSealer::start(server_keys.send_key);
  FrameOpener at_server = opener_for(server_keys.recv_key, c_header);
  FrameOpener at_client = opener_for(client_keys->recv_key, s_header);
  auto up = at_server.open(c_sealer.seal(text("client clock")));
  REQUIRE(up);
  CHECK(*up == text("client clock"));
  auto down = at_client.open(s_sealer.seal(text("server clock")));
  REQUIRE(down);
  CHECK(*down == text("server clock"));

  // A frame reflected back to its sender does not open: each direction has its own key.
  auto [fresh, fresh_header] = FrameSealer::start(client_keys->send_key);
  FrameOpener reflected = opener_for(client_keys->recv_key, fresh_header);
  CHECK_FALSE(reflected.open(fresh.seal(text("echo"))));
}

}  // namespace
}  // namespace ifex
