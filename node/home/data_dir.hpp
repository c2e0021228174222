// The data directory: the only state a node has. Everything lives under one path so that an
// operator backs up, moves or wipes a node by that path alone (docs/operations.md).
#pragma once

#include <filesystem>

namespace ifex {

struct DataDir {
  std::filesystem::path root;

  std::filesystem::path config_file() const { return root / "ifexnode.toml"; }
  std::filesystem::path key_file() const { return root / "identity.key"; }
  std::filesystem::path store_dir() const { return root / "store"; }
  std::filesystem::path network_key_file() const { return root / "network.key"; }
  std::filesystem::path status_file() const { return root / "status.json"; }
  std::filesystem::path admin_token_file() const { return root / "admin.token"; }
  // Held (flock) by `ifexnode run` while it runs; holds its pid (node/home/run_lock.hpp).
  std::filesystem::path run_lock_file() const { return root / "run.lock"; }
  // Derived data, rebuilt from the store by `ifexnode reindex`: safe to delete.
  std::filesystem::path index_dir() const { return root / "index"; }
  std::filesystem::path catalog_dir() const { return index_dir() / "catalog"; }
  std::filesystem::path search_dir() const { return index_dir() / "search"; }
};

}  // namespace ifex
