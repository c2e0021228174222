// The invitation to a federation (docs/protocol.md, "Invitation"): everything a new node needs
// to join, as one text an operator can send: ifexinv1 + base32(body || checksum), the checksum
// as in the key text forms (BLAKE2b-256("ifexinv1" || body)[0..4)). The body holds the network
// key, so an invitation is a secret: pass it as a file, never on a command line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "keys/bytes.hpp"
#include "keys/result.hpp"
#include "protocol/network_key.hpp"

namespace ifex {

inline constexpr std::string_view invitation_prefix = "ifexinv1";
inline constexpr std::uint8_t invitation_format = 1;
inline constexpr std::size_t max_invitation_peers = 16;
inline constexpr std::size_t max_invitation_url_bytes = 512;

struct BootstrapPeer {
  PublicKey key;
  std::string url;  // ws:// or wss:// URL of its /gossip endpoint
  friend bool operator==(const BootstrapPeer&, const BootstrapPeer&) = default;
};

struct Invitation {
  NetworkKey network_key;
  Hash genesis;       // the id of the genesis entry, which names the federation
  PublicKey founder;  // the genesis's author, whose log holds it
  std::vector<BootstrapPeer> peers;  // 1 to 16
  friend bool operator==(const Invitation&, const Invitation&) = default;
};

std::string encode_invitation(const Invitation& invitation);
// Error codes as the key text forms ("wrong_prefix", "bad_characters", "wrong_length",
// "checksum_mismatch"), or "bad_invitation"; no message quotes the network key's digits.
Result<Invitation> decode_invitation(std::string_view text);

}  // namespace ifex
