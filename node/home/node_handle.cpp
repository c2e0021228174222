#include "node/home/node_handle.hpp"

#include "keys/key_file.hpp"
#include "node/base/log.hpp"
#include "node/home/data_format.hpp"

namespace ifex {

StoreOptions store_options(const DataDir& dir, const NodeConfig& config,
                           NodeHandle::Access access) {
  StoreOptions options;
  options.dir = dir.store_dir();
  options.create_if_missing = false;  // only init creates a store (cmd_init.cpp)
  options.read_only = access == NodeHandle::Access::read_only;
  options.map_size = static_cast<std::size_t>(config.map_size_mib) << 20;
  options.limits.max_entry_bytes = config.max_entry_bytes;
  return options;
}

Result<NodeHandle> NodeHandle::open(const std::filesystem::path& root, Access access) {
  NodeHandle node;
  node.dir_ = DataDir{root};
  if (!std::filesystem::is_directory(root))
    return make_error("no_data_dir", root.string() + " is not a directory: create a node with "
                                                     "`ifexnode init --data " +
                                         root.string() + " --name NAME`");
  // A newer format is refused before anything is read: this version could misread it.
  auto format = read_data_format(node.dir_);
  if (!format) return format.error();
  if (*format > current_data_format) return prepare_data_format(node.dir_).error();
  auto config = load_config(node.dir_.config_file());
  if (!config) return config.error();
  node.config_ = std::move(*config);
  auto key = read_key_file_public_key(node.dir_.key_file());
  if (!key) return key.error();
  node.own_key_ = *key;
  auto store = Store::open(store_options(node.dir_, node.config_, access));
  if (!store) return store.error();
  node.store_ = std::move(*store);
  // An older format is migrated once the directory is known to be a node's (config, key and
  // store opened): never write into a directory that merely exists.
  if (*format < current_data_format && access == Access::read_write) {
    auto was = prepare_data_format(node.dir_);
    if (!was) return was.error();
    log_event(LogLevel::info, LogArea::node, "data_dir_migrated",
              "migrated the data directory " + root.string() + " from format " +
                  std::to_string(*was) + " to " + std::to_string(current_data_format),
              {{"from_format", std::to_string(*was)},
               {"to_format", std::to_string(current_data_format)}});
  }
  return node;
}

Result<Identity> NodeHandle::load_identity(
    const std::optional<std::filesystem::path>& passphrase_file) const {
  std::optional<SecretBytes> passphrase;
  if (passphrase_file) {
    auto read = read_passphrase_file(*passphrase_file);
    if (!read) return read.error();
    passphrase = std::move(*read);
  }
  return read_key_file(dir_.key_file(), passphrase ? &*passphrase : nullptr);
}

}  // namespace ifex
