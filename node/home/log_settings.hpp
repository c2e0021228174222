// The log settings of `run`: [log] of ifexnode.toml, with `run --log-level` over its level.
#pragma once

#include <string_view>

#include "node/base/log.hpp"
#include "node/home/config.hpp"

namespace ifex {

// `level_override` is --log-level ("" when not given). format = "auto" picks journald when
// systemd connected stderr to the journal, else text. The config was validated when loaded.
LogSettings log_settings(const LogConfig& config, std::string_view level_override);

}  // namespace ifex
