// What an ifexnode backup archive holds, in order, and the bounds a restore holds it to. The
// archive is a plain POSIX ustar file (`tar tvf` lists it):
//
//   ifexnode-backup   the manifest: "ifexnode backup 1", then "created_ms N", "index rebuild"
//   format            the data directory's format file (absent in a format-1 directory)
//   ifexnode.toml     the configuration
//   admin.token       the admin token (0600)
//   identity.key      the key file, exactly as it is (still encrypted when it was)
//   network.key       the federation's network key (0600), when the node has one
//   store/data.mdb    LMDB's compacted copy of the store (node/store/store_copy.hpp)
//   checksums         "HEX  NAME" per member above: BLAKE2b-256 of its data
//
// The search index and the alert catalog (DATA/index) are not in it: they are derived from the
// store and rebuilt by the restore (docs/operations.md says why).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ifex::backup {

inline constexpr std::string_view manifest_name = "ifexnode-backup";
inline constexpr std::string_view manifest_magic = "ifexnode backup 1";
inline constexpr std::string_view checksums_name = "checksums";
inline constexpr std::string_view store_member = "store/data.mdb";

struct MemberRule {
  std::string_view name;  // in the archive, and relative to the data dir
  bool required;
  bool secret;              // its mode is kept at most 0600
  std::uint64_t max_bytes;  // a larger member is refused
};

inline constexpr std::uint64_t KiB = 1024;
inline constexpr std::array<MemberRule, 6> data_members{{
    {"format", false, false, 4 * KiB},
    {"ifexnode.toml", true, false, 1024 * KiB},
    {"admin.token", false, true, 4 * KiB},
    {"identity.key", true, true, 64 * KiB},
    {"network.key", false, true, 4 * KiB},
    // Bounded by LMDB's largest map on 64-bit; the disk is the real bound.
    {store_member, true, true, std::uint64_t{1} << 42},
}};
inline constexpr std::uint64_t manifest_max_bytes = 4 * KiB;
inline constexpr std::uint64_t checksums_max_bytes = 64 * KiB;

inline std::optional<MemberRule> member_rule(std::string_view name) {
  for (const auto& rule : data_members)
    if (rule.name == name) return rule;
  return std::nullopt;
}

}  // namespace ifex::backup
