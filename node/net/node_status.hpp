// NodeStatus: the running node's status as JSON: who it is, its connections, every peer's state
// (by key, fingerprint and roster name), the refused authors and the counters. Written to the
// status file `ifexnode status` reads (atomically, by rename) every second and on connection
// changes, and kept as a snapshot for GET /api/status. The layout is docs/http-api.md's.
//
// Threads: core thread (it reads the LinkTable and the Replicator, which only the core may
// touch); snapshot() from any thread (the HTTP pool), under mutex_.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/array.hpp>
#include <cstdint>
#include <filesystem>
#include <string>

#include "node/home/config.hpp"
#include "node/net/link_table.hpp"
#include "node/net/membership.hpp"
#include "node/net/node_counters.hpp"
#include "node/net/peer_status.hpp"
#include "node/net/publishing_gate.hpp"
#include "node/net/refused_authors.hpp"
#include "node/net/store_writer.hpp"
#include "node/base/thread_annotations.hpp"
#include "protocol/replicator.hpp"

namespace ifex {

// What the status is made of: NodeCore's parts, which outlive the NodeStatus.
struct StatusSources {
  const NodeConfig& config;
  const PublicKey& own_key;
  std::uint64_t started_wall_ms;
  const NodeCounters& counters;
  const Membership& membership;
  PeerStatusTable& peers;  // forgets nodes not seen for a week on each write
  const RefusedAuthors& refused;
  const LinkTable& links;
  const Replicator& replicator;
  const StoreWriter& writer;
  const PublishingGate& publishing;
};

class NodeStatus {
 public:
  NodeStatus(boost::asio::io_context& core_ioc, std::filesystem::path status_file,
             StatusSources sources);

  // Core thread: start() writes at once, then every second; stop() removes the status file.
  void start();
  void stop();
  // Core thread: writes now.
  void write() EXCLUDES(mutex_);
  // Any thread: the JSON last written, empty before the first write.
  std::string snapshot() const EXCLUDES(mutex_);

 private:
  void schedule();
  // Configured peers, then linked nodes, then nodes seen recently.
  boost::json::array peers_json() const;

  std::filesystem::path file_;
  StatusSources src_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;

  mutable Mutex mutex_;
  std::string snapshot_ GUARDED_BY(mutex_);
};

}  // namespace ifex
