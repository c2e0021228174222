#include "protocol/network_key.hpp"

#include "keys/key_text.hpp"

namespace ifex {

std::string network_key_to_text(const NetworkKey& key) {
  return encode_typed_key(network_key_prefix, key.view());
}

Result<NetworkKey> network_key_from_text(std::string_view text) {
  auto raw = decode_typed_key(network_key_prefix, text, NetworkKey::size, "network key");
  if (!raw) return raw.error();
  return *NetworkKey::from(*raw);
}

}  // namespace ifex
