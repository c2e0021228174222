// What SIGHUP does (`systemctl reload ifexnode`): read ifexnode.toml again and apply live what
// can change while the node runs, the [log] section (format, level, levels, journal_socket).
// Every other changed key is read once at start by the part it configures (limits copied into
// sessions, the HTTP API, thread pools, the listener), so it is named as needing a restart and
// keeps its running value. A file that does not load is logged and the node keeps its settings.
//
// Thread safety: one thread calls reload() (the network thread, from the signal handler); the log
// itself is safe to reconfigure while other threads log.
#pragma once

#include <filesystem>
#include <string>

#include "node/home/config.hpp"

namespace ifex {

class ConfigReloader {
 public:
  // `running` is the configuration the node started with (as read from `file`, before command
  // line overrides); `log_level_override` is `run --log-level` ("" when not given), which keeps
  // winning over the file's levels after a reload, as at start.
  ConfigReloader(std::filesystem::path file, NodeConfig running, std::string log_level_override);

  void reload();

 private:
  std::filesystem::path file_;
  NodeConfig running_;  // what is in effect: the file at start, with the reloaded [log]
  std::string log_level_override_;
};

}  // namespace ifex
