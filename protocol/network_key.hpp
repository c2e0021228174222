// The federation's network key and its text form (docs/keys.md, "Network key text"):
//   ifexnet1 + base32(key || checksum), checksum = BLAKE2b-256("ifexnet1" || key)[0..4)
// Generating one needs randomness, which protocol/ never draws: the command line makes the 32
// random bytes and hands them in. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "keys/bytes.hpp"
#include "keys/result.hpp"

namespace ifex {

struct NetworkKeyTag;
// A capability every node of one federation holds. Without it a peer cannot even get a reply to
// its hello (docs/protocol.md, "Handshake"). It is a shared secret: keep it out of logs.
using NetworkKey = FixedBytes<NetworkKeyTag, 32>;

inline constexpr std::string_view network_key_prefix = "ifexnet1";

std::string network_key_to_text(const NetworkKey& key);
// Only the ifexnet1 form is accepted. Error codes as decode_typed_key: "wrong_prefix",
// "bad_characters", "wrong_length", "checksum_mismatch"; no message quotes the key's digits.
Result<NetworkKey> network_key_from_text(std::string_view text);

}  // namespace ifex
