// BLAKE2b-256 of a member's data, computed while it streams (libsodium crypto_generichash).
// A tar header's checksum covers only the header; these digests, listed in the archive's last
// member, catch a damaged byte anywhere in the data (docs/operations.md, "Backup and restore").
#pragma once

#include <sodium.h>

#include <string>

#include "keys/bytes.hpp"

namespace ifex::backup {

class MemberDigest {
 public:
  MemberDigest() { crypto_generichash_init(&state_, nullptr, 0, 32); }
  void update(ByteView data) { crypto_generichash_update(&state_, data.data(), data.size()); }
  // Lowercase hex. Call once.
  std::string hex() {
    std::uint8_t out[32];
    crypto_generichash_final(&state_, out, sizeof out);
    return to_hex(ByteView(out, sizeof out));
  }

 private:
  crypto_generichash_state state_;
};

}  // namespace ifex::backup
