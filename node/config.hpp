// The node's configuration file (TOML, `ifexnode.toml` in the data dir). Every limit is here,
// with the defaults an operator gets from `init`. Keys are documented in docs/operations.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "keys/result.hpp"

namespace ifex {

enum class NodeRole { member, hub, relay };
std::string_view role_name(NodeRole role);
Result<NodeRole> parse_role(std::string_view name);

struct NodeConfig {
  std::string name;
  NodeRole role = NodeRole::member;
  std::uint64_t map_size_mib = 16 * 1024;      // [store] LMDB address space; disk use grows as needed
  std::uint64_t max_entry_bytes = 64 * 1024;   // [limits] largest signed entry accepted or made
  std::uint64_t import_batch_entries = 1024;   // [limits] entries per transaction when importing
};

// Reads and validates the file; unknown keys are errors (a typo must not silently fall back to
// a default limit).
Result<NodeConfig> load_config(const std::filesystem::path& file);
// Writes a commented file; refuses to overwrite one that exists.
Status write_new_config(const std::filesystem::path& file, const NodeConfig& config);

}  // namespace ifex
