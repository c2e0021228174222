// How a gossip session ends on the wire (docs/protocol.md, "Closing a connection"): the close
// code for each cause, the reason a peer may be told, and the WebSocket close frame the session
// writes itself (below Beast's stream, so closing never reads from a peer without the node's
// rate limit). Pure: no Asio.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "keys/bytes.hpp"

namespace ifex {

// RFC 6455 close codes the node sends. 1009 (too big) is sent by Beast itself.
inline constexpr std::uint16_t close_normal = 1000;
inline constexpr std::uint16_t close_policy = 1008;
inline constexpr std::size_t max_close_reason_bytes = 64;

// What the peer is told when the node ends a connection.
enum class Ending {
  drop,    // TCP closed, nothing sent: a peer that does not read, a timeout, an eviction
  normal,  // FINAL frame, then close 1000 with the reason
  policy,  // close 1008 with the reason (empty after a failed handshake)
};

// The reason as it may go on the wire: printable ASCII (0x20-0x7e) only, other bytes dropped,
// cut to max_close_reason_bytes. Used both for what we send and for what a peer sent us before
// it reaches a log.
std::string sanitize_close_reason(std::string_view reason);

// One WebSocket close frame (FIN, opcode 8) carrying `code` and sanitize_close_reason(reason).
// A client's frame is masked with `mask` (RFC 6455 5.3), a server's is not.
Bytes encode_close_frame(std::uint16_t code, std::string_view reason, bool masked,
                         const std::uint8_t (&mask)[4]);

}  // namespace ifex
