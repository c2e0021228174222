// What every network object of a running node shares: the core, the node's keys, the pool that
// verifies signatures, and the connection limiter. Owned by NodeRuntime; outlives all sessions.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "keys/identity.hpp"
#include "node/net/node_core.hpp"
#include "protocol/network_key.hpp"

namespace ifex {

class HttpApi;

// Caps connections in total and per remote address. acquire() hands out a token that gives the
// slot back when the connection ends.
class ConnectionLimiter {
 public:
  ConnectionLimiter(std::size_t max_total, std::size_t max_per_address)
      : max_total_(max_total), max_per_address_(max_per_address) {}
  using Token = std::shared_ptr<void>;
  // nullptr when a limit is reached.
  Token acquire(const std::string& address);

 private:
  std::mutex mutex_;
  std::size_t max_total_;
  std::size_t max_per_address_;
  std::size_t total_ = 0;
  std::map<std::string, std::size_t> per_address_;
};

struct NetContext {
  NodeCore& core;
  const Identity& identity;
  const NetworkKey& network;
  boost::asio::thread_pool& verify_pool;
  ConnectionLimiter& limiter;
  HttpApi& http;                          // answers plain HTTP requests
  boost::asio::thread_pool& http_pool;    // where it runs, off the network thread
};

}  // namespace ifex
