#include "node/net/secure_frames.hpp"

#include <sodium.h>

#include <stdexcept>

#include "keys/identity.hpp"

namespace ifex {

namespace {

using State = crypto_secretstream_xchacha20poly1305_state;

static_assert(frame_key_size == crypto_secretstream_xchacha20poly1305_KEYBYTES);
static_assert(frame_header_size == crypto_secretstream_xchacha20poly1305_HEADERBYTES);
static_assert(frame_overhead == crypto_secretstream_xchacha20poly1305_ABYTES);
// sodium_malloc does not align its allocations; the state is plain bytes, so it needs none.
static_assert(alignof(State) == 1);

State* state_of(SecretBytes& s) {
  return reinterpret_cast<State*>(s.data());
}

}  // namespace

std::pair<FrameSealer, Bytes> FrameSealer::start(const SecretBytes& key) {
  init_crypto();
  if (key.size() != frame_key_size) throw std::invalid_argument("frame key must be 32 bytes");
  SecretBytes state(sizeof(State));
  Bytes header(frame_header_size);
  crypto_secretstream_xchacha20poly1305_init_push(state_of(state), header.data(), key.data());
  return {FrameSealer(std::move(state)), std::move(header)};
}

Bytes FrameSealer::seal_tagged(ByteView plaintext, unsigned char tag) {
  if (closed_) throw std::logic_error("FrameSealer used after its final frame");
  Bytes frame(plaintext.size() + frame_overhead);
  crypto_secretstream_xchacha20poly1305_push(state_of(state_), frame.data(), nullptr,
                                             plaintext.data(), plaintext.size(), nullptr, 0, tag);
  return frame;
}

Bytes FrameSealer::seal(ByteView plaintext) {
  return seal_tagged(plaintext, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
}

Bytes FrameSealer::seal_final(ByteView plaintext) {
  Bytes frame = seal_tagged(plaintext, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
  closed_ = true;
  state_ = SecretBytes();  // wipes the state: nothing more will be sealed
  return frame;
}

Result<FrameOpener> FrameOpener::start(const SecretBytes& key, ByteView header) {
  init_crypto();
  if (key.size() != frame_key_size)
    return make_error("frame_bad_header",
                      "the frame key is not " + std::to_string(frame_key_size) + " bytes");
  if (header.size() != frame_header_size)
    return make_error("frame_bad_header", "the stream header is " + std::to_string(header.size()) +
                                              " bytes, not " + std::to_string(frame_header_size));
  SecretBytes state(sizeof(State));
  // init_pull only copies the header into the state; it cannot fail on 24 bytes.
  if (crypto_secretstream_xchacha20poly1305_init_pull(state_of(state), header.data(), key.data()) !=
      0)
    return make_error("frame_bad_header", "the stream header was refused");
  return FrameOpener(std::move(state));
}

Error FrameOpener::fail(std::string code, std::string message) {
  failed_ = true;
  state_ = SecretBytes();
  return make_error(std::move(code), std::move(message));
}

Result<Bytes> FrameOpener::open(ByteView frame) {
  if (failed_) return make_error("frame_failed", "the stream already failed");
  if (closed_) return fail("frame_after_close", "a frame after the final one");
  if (frame.size() < frame_overhead)
    return fail("frame_truncated", "a frame of " + std::to_string(frame.size()) + " bytes");
  Bytes plain(frame.size() - frame_overhead);
  unsigned char tag = 0;
  if (crypto_secretstream_xchacha20poly1305_pull(state_of(state_), plain.data(), nullptr, &tag,
                                                 frame.data(), frame.size(), nullptr, 0) != 0)
    return fail("frame_forged",
                "a frame does not authenticate (altered, replayed, reordered, "
                "truncated or under another key)");
  if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
    closed_ = true;
    state_ = SecretBytes();
  } else if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
    // Our sealer never sends PUSH or REKEY; an authentic frame with them is a foreign peer.
    return fail("frame_bad_tag", "a frame with an unexpected tag");
  }
  return plain;
}

}  // namespace ifex
