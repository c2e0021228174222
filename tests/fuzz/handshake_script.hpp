// The handshake target's input, shared with the seed generator:
//   u8 flags, then what the flags ask for, read with FuzzInput:
//   bit 0      side under test: 0 the server (we play the client), 1 the client (we play the server)
//   bits 1-2   how the peer's first message is made:
//              0, 3  raw_first: a chunk, sent as is
//              1     forged_mac: 32 bytes of ephemeral point, MACed with the network key (a node
//                    of the federation may hold it, so a valid MAC is no proof of honesty)
//              2     honest_peer: a real peer, identity seed byte + 32-byte ephemeral seed; its
//                    second message is XORed with a chunk (a mask: all zero or empty = unaltered)
//   bit 3      replay: afterwards, every step is called again and must fail
//   raw_first / forged_mac then take the second message as a raw chunk.
#pragma once

#include <cstdint>

namespace ifex::fuzz::hs {

inline constexpr std::uint8_t test_client = 1;
inline constexpr std::uint8_t raw_first = 0 << 1;
inline constexpr std::uint8_t forged_mac = 1 << 1;
inline constexpr std::uint8_t honest_peer = 2 << 1;
inline constexpr std::uint8_t mode_mask = 3 << 1;
inline constexpr std::uint8_t replay = 1 << 3;

}  // namespace ifex::fuzz::hs
