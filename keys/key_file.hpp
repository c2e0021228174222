// The identity key file: a node's Ed25519 seed, plain or sealed under a passphrase.
// Byte layout (docs/keys.md), integers little-endian:
//   "IFEXKEY1" | format u8 (0 plain, 1 encrypted) | public key [32]
//   plain:     seed [32]                                                    = 73 bytes
//   encrypted: opslimit u64 | memlimit u64 | salt [16] | nonce [24] |
//              XChaCha20-Poly1305(seed) [48], AD = every byte before it    = 145 bytes
// The key is Argon2id(passphrase, salt, opslimit, memlimit). The public key sits in clear so
// tools can show whose file it is without the passphrase; it is checked against the seed.
//
// Secrets (seed, derived key, file image) only ever live in SecretBytes; nothing here logs.
// Error codes, stable for scripts, are in key_file_error. Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "keys/bytes.hpp"
#include "keys/identity.hpp"
#include "keys/result.hpp"
#include "keys/secret_bytes.hpp"

namespace ifex {

namespace key_file_error {
inline constexpr std::string_view exists = "exists";            // write: the path is taken
inline constexpr std::string_view missing = "missing";          // read: no such file
inline constexpr std::string_view permissions = "permissions";  // group/other mode bits set
inline constexpr std::string_view corrupt = "corrupt";          // not a valid key file
inline constexpr std::string_view passphrase_required = "passphrase_required";
inline constexpr std::string_view wrong_passphrase = "wrong_passphrase";  // or altered header
inline constexpr std::string_view bad_params = "bad_params";  // write: KDF params/passphrase
inline constexpr std::string_view empty = "empty";            // passphrase file has no bytes
inline constexpr std::string_view too_large = "too_large";    // passphrase file over 1024 bytes
inline constexpr std::string_view io = "io";                  // the OS said no (errno text)
}  // namespace key_file_error

// Argon2id cost. Stored in each file, so files written with other costs stay readable.
struct KdfParams {
  std::uint64_t opslimit = 0;
  std::uint64_t memlimit = 0;  // bytes

  static KdfParams interactive();  // 2 passes, 64 MiB
  static KdfParams moderate();     // 3 passes, 256 MiB: the default for new files
  static KdfParams sensitive();    // 4 passes, 1 GiB

  // The bounds accepted when reading: opslimit in [1, 64], memlimit in [8 KiB, 4 GiB]. A file
  // outside them is corrupt or hostile (it could ask for a terabyte of memory).
  [[nodiscard]] bool within_bounds() const;
};

inline constexpr std::size_t key_file_plain_size = 73;
inline constexpr std::size_t key_file_encrypted_size = 145;
inline constexpr std::size_t max_passphrase_size = 1024;

// Writes `identity` to `path`, encrypted under `passphrase` when it is non-null (then it must be
// non-empty). Never replaces an existing file ("exists", nothing touched). The file appears
// atomically with mode 0600, complete and fsynced, or not at all.
// REQUIRES: kdf.within_bounds() when encrypting (else "bad_params").
Status write_key_file(const std::filesystem::path& path, const Identity& identity,
                      const SecretBytes* passphrase, KdfParams kdf = KdfParams::moderate());

// Reads and checks a key file. `passphrase` may be null for a plain file, and is ignored if
// given for one. Refuses files readable by group or others. Never modifies the file.
Result<Identity> read_key_file(const std::filesystem::path& path, const SecretBytes* passphrase);

// The public key from the header, without the passphrase. Same permission, magic and size checks
// as read_key_file; the key is not checked against the (possibly sealed) seed.
Result<PublicKey> read_key_file_public_key(const std::filesystem::path& path);
Result<bool> key_file_is_encrypted(const std::filesystem::path& path);

// The passphrase in `path`, minus one trailing "\n" or "\r\n". Errors: "missing", "empty",
// "too_large" (over max_passphrase_size), "io". Does not check the file's mode: callers warn.
Result<SecretBytes> read_passphrase_file(const std::filesystem::path& path);

}  // namespace ifex
