// Runs a node until SIGINT or SIGTERM (SIGHUP reloads ifexnode.toml): the server, the dialer,
// the core and their threads.
#pragma once

#include <string>

#include "keys/identity.hpp"
#include "keys/result.hpp"
#include "node/home/node_handle.hpp"
#include "protocol/network_key.hpp"

namespace ifex {

// Blocks until a stop signal; returns an error only when the node cannot start (e.g. the port
// is taken). `listen` overrides the configured address when not empty; `log_level_override` is
// `run --log-level` ("" when not given), kept over the file's levels when SIGHUP reloads them.
Status run_node(NodeHandle& node, const Identity& identity, const NetworkKey& network,
                const std::string& listen, const std::string& log_level_override);

}  // namespace ifex
