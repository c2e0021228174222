// The federation network key as the node keeps it: `network.key` in the data dir, its text form
// (ifexnet1...) on one line, mode 0600 (it is a shared secret of the federation).
#pragma once

#include <filesystem>

#include "keys/result.hpp"
#include "protocol/network_key.hpp"

namespace ifex {

NetworkKey generate_network_key();
Result<NetworkKey> read_network_key_file(const std::filesystem::path& file);
// Refuses to replace an existing file unless `replace`.
Status write_network_key_file(const std::filesystem::path& file, const NetworkKey& key,
                              bool replace);

}  // namespace ifex
