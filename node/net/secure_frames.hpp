// The encrypted frame layer after the handshake: one libsodium
// crypto_secretstream_xchacha20poly1305 stream per direction, keyed with that direction's session
// key (SessionKeys::send_key / recv_key). The first binary WebSocket message each side sends after
// the handshake is its 24-byte stream header; every later message is one sealed frame carrying one
// gossip message. Layout and security argument: docs/protocol.md ("Encrypted frames").
//
// The stream numbers frames implicitly, so a dropped, replayed, reordered or altered frame fails
// to open. A frame tagged FINAL is a clean close: nothing may follow it.
// Not thread-safe: each object belongs to one connection's strand.
#pragma once

#include <cstddef>
#include <utility>

#include "keys/bytes.hpp"
#include "keys/result.hpp"
#include "keys/secret_bytes.hpp"

namespace ifex {

inline constexpr std::size_t frame_key_size = 32;     // crypto_secretstream_..._KEYBYTES
inline constexpr std::size_t frame_header_size = 24;  // crypto_secretstream_..._HEADERBYTES
inline constexpr std::size_t frame_overhead = 17;     // crypto_secretstream_..._ABYTES

class FrameSealer {
 public:
  // A new stream under `key` and the header to send first. Draws the header's randomness from
  // libsodium. REQUIRES: key.size() == frame_key_size (throws std::invalid_argument).
  static std::pair<FrameSealer, Bytes> start(const SecretBytes& key);

  // One frame of plaintext.size() + frame_overhead bytes.
  // REQUIRES: !closed() (throws std::logic_error).
  Bytes seal(ByteView plaintext);
  // The last frame (tag FINAL): the peer knows the stream ended cleanly, not truncated.
  // REQUIRES: !closed() (throws std::logic_error).
  Bytes seal_final(ByteView plaintext = {});
  bool closed() const { return closed_; }

 private:
  explicit FrameSealer(SecretBytes state) : state_(std::move(state)) {}
  Bytes seal_tagged(ByteView plaintext, unsigned char tag);
  SecretBytes state_;  // crypto_secretstream_xchacha20poly1305_state
  bool closed_ = false;
};

class FrameOpener {
 public:
  // Error "frame_bad_header" for a key or header of the wrong size.
  [[nodiscard]] static Result<FrameOpener> start(const SecretBytes& key, ByteView header);

  // The plaintext of the next frame. Any failure ("frame_truncated", "frame_forged": altered,
  // replayed, reordered or under another key; "frame_bad_tag") leaves the opener failed for
  // good ("frame_failed"), with its state wiped. After a FINAL frame, closed() is true and every
  // later open fails ("frame_after_close").
  [[nodiscard]] Result<Bytes> open(ByteView frame);
  bool closed() const { return closed_; }
  bool failed() const { return failed_; }

 private:
  explicit FrameOpener(SecretBytes state) : state_(std::move(state)) {}
  Error fail(std::string code, std::string message);
  SecretBytes state_;  // crypto_secretstream_xchacha20poly1305_state
  bool closed_ = false;
  bool failed_ = false;
};

}  // namespace ifex
