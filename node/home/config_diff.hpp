// Which keys of ifexnode.toml differ between two configurations: what a reload reports.
#pragma once

#include <string>
#include <vector>

#include "node/home/config.hpp"

namespace ifex {

// "section.key" of every key whose value differs, in the file's order (config_keys()).
std::vector<std::string> changed_config_keys(const NodeConfig& before, const NodeConfig& after);

}  // namespace ifex
