// The node's admin token: a bearer secret that authorises writes over HTTP (POST /api/alerts)
// and, when reads are not public, reads. Made by `init` (or by `run` on a data dir older than
// the token) in `admin.token`, mode 0600. The running node keeps only its BLAKE2b hash and
// compares hashes in constant time, so the token itself is never held longer than needed.
#pragma once

#include <array>
#include <filesystem>
#include <string_view>

#include "keys/result.hpp"

namespace ifex {

// Creates the file with a new random token; refuses to overwrite one that exists.
Status create_admin_token(const std::filesystem::path& file);

class AdminTokenCheck {
 public:
  // Reads the token file; a file readable by group or others is refused (it is a password).
  static Result<AdminTokenCheck> load(const std::filesystem::path& file);
  // True when `presented` is the token (constant time in the token's content).
  bool matches(std::string_view presented) const;

 private:
  std::array<unsigned char, 32> hash_{};
};

}  // namespace ifex
