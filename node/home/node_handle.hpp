// What a command needs of a node: its data dir, configuration, store and public key, opened and
// checked once. The identity (secret key) is loaded only by commands that sign.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "keys/identity.hpp"
#include "keys/result.hpp"
#include "node/home/config.hpp"
#include "node/home/data_dir.hpp"
#include "node/store/store.hpp"

namespace ifex {

class NodeHandle {
 public:
  // read_only: for commands that only look (status, doctor). The store is opened
  // read-only (StoreOptions::read_only) and an older data format is read as it is, not migrated,
  // so nothing in the data dir changes and a running node's writes are never waited on.
  enum class Access { read_write, read_only };

  // Fails with a clear message when `root` is not an initialised data dir.
  static Result<NodeHandle> open(const std::filesystem::path& root,
                                 Access access = Access::read_write);

  const DataDir& dir() const { return dir_; }
  const NodeConfig& config() const { return config_; }
  Store& store() { return *store_; }
  const Store& store() const { return *store_; }
  const PublicKey& own_key() const { return own_key_; }

  // Reads the key file; the passphrase in `passphrase_file` unlocks an encrypted one.
  Result<Identity> load_identity(const std::optional<std::filesystem::path>& passphrase_file) const;

 private:
  DataDir dir_;
  NodeConfig config_;
  std::unique_ptr<Store> store_;
  PublicKey own_key_;
};

// The options a data dir's store opens with: an existing store only (see create_if_missing).
StoreOptions store_options(const DataDir& dir, const NodeConfig& config,
                           NodeHandle::Access access = NodeHandle::Access::read_write);

}  // namespace ifex
