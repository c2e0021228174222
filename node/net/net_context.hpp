// What every network object of a running node shares: the core, the node's keys, the pool that
// verifies signatures, the connection limiter and the memory of recent hellos. Owned by
// NodeRuntime; outlives all sessions.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <string>

#include "keys/identity.hpp"
#include "node/codec/http_message.hpp"
#include "node/net/connection_limiter.hpp"
#include "node/net/node_core.hpp"
#include "node/net/replay_guard.hpp"
#include "protocol/network_key.hpp"

namespace ifex {

struct NetContext {
  NodeCore& core;
  const Identity& identity;
  const NetworkKey& network;
  boost::asio::thread_pool& verify_pool;
  ConnectionLimiter& limiter;
  HttpHandler& http;                      // answers plain HTTP requests (the API)
  boost::asio::thread_pool& http_pool;    // where it runs, off the network thread
  ReplayGuard& replay_guard;              // the hellos seen in the last handshake timeout
};

}  // namespace ifex
