// NodeCore: the driver of the Replicator while the node runs, and the one door of the network
// layer into the node. It owns the parts below and wires them; each has its own file, which
// says which thread owns it:
//
//   core thread only (no lock; others reach them by posting to the core's io_context):
//     Replicator (protocol/replicator.hpp)  gossip and catch-up decisions, driven from here
//     StoreWriter (store_writer.hpp)        group commit of received entries, gap buffer
//     LinkTable (link_table.hpp)            the connections by PeerId; duplicate-link tie-break
//     StorePoller (store_poller.hpp)        looks at what other processes stored
//     PublishingGate (publishing_gate.hpp)  holds publishing until our own log is confirmed
//     NodeStatus (node_status.hpp)          the status file every second (snapshot: any thread)
//   any thread, each under its own Mutex (thread_annotations.hpp, checked by clang):
//     Membership (membership.hpp)           roster and peers, refreshed from the store
//     PeerStatusTable (peer_status.hpp)     per-peer connected/last seen/last error
//     RefusedAuthors (refused_authors.hpp)  offered entries of authors not on the roster
//     WarnLimiter (connection_problems.hpp) one warning per cause and subject a minute
//   any thread, atomics:
//     NodeCounters (node_counters.hpp)      the counters, declared once with their names
//
// Data flow (docs/architecture.md, "Running node"): session strand (decrypt, decode) -> verify
// strand on the pool (signatures) -> core (store, replicate) -> session strands (send).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "node/feed/metrics_text.hpp"
#include "node/home/config.hpp"
#include "node/net/connection_problems.hpp"
#include "node/net/link_table.hpp"
#include "node/net/membership.hpp"
#include "node/net/node_counters.hpp"
#include "node/net/peer_link.hpp"
#include "node/net/peer_status.hpp"
#include "node/net/publishing_gate.hpp"
#include "node/net/refused_authors.hpp"
#include "node/net/store_writer.hpp"
#include "node/store/store.hpp"
#include "protocol/gossip_messages.hpp"
#include "protocol/log_rules.hpp"
#include "protocol/replicator.hpp"

namespace ifex {

class NodeStatus;
class StoreLogReader;
class StorePoller;

class NodeCore {
 public:
  NodeCore(boost::asio::io_context& core_ioc, Store& store, const PublicKey& own_key,
           const NodeConfig& config, std::filesystem::path status_file);
  ~NodeCore();

  // Starts the timers (ticks, store polling, status file). Call once, from any thread.
  void start();
  void stop();
  // After the core's thread has ended: forget every connection (shutdown only).
  void release_links() { links_.clear(); }

  // ---- thread-safe entry points for the network layer ----
  NodeCounters& counters() { return counters_; }
  const NodeConfig& config() const { return config_; }
  const PublicKey& own_key() const { return own_key_; }
  PeerId next_peer_id() { return next_peer_id_.fetch_add(1); }
  // Whether an authenticated node may stay connected: on the peer list, on the roster, or any
  // node of the network when accept_unknown_peers is set.
  bool is_welcome(const PublicKey& key) const { return membership_.is_welcome(key); }
  bool is_connected(const PublicKey& key) const { return peer_status_.is_connected(key); }
  // The peers to dial, refreshed from the store as the operator changes them.
  std::vector<PeerRecord> dial_list() const { return membership_.dial_list(); }

  void session_up(PeerId id, const PublicKey& key, bool outbound, std::string address,
                  std::shared_ptr<PeerLink> link);
  void session_down(PeerId id, std::string reason);
  void control_message(PeerId id, GossipMessage message);
  // Entries of one EntriesMsg, verified off the core thread; `rejected` counts those that failed,
  // `refused_future` those dated too far ahead (not held against the peer). `inflight` is
  // released once they are stored: until then they count against the peer's inbound budget,
  // so a peer cannot queue more than that budget behind a slow disk.
  void verified_entries(PeerId id, bool push, std::vector<SignedEntry> entries,
                        std::size_t rejected, std::string first_error,
                        std::size_t refused_future, std::shared_ptr<void> inflight);
  void fork_proof_received(PeerId id, Bytes proof);
  void link_drained(PeerId id);
  void dial_failed(const PublicKey& key, const std::string& url, const std::string& error);
  void protocol_violation(PeerId id, const std::string& what);
  // Counts a failed connection by its likely cause and warns about it: once per cause and
  // `subject` (a peer's fingerprint, or the address of a caller not yet known) a minute, the
  // next warning saying how many were held back. `what` is the sentence to log.
  void connection_problem(ConnectionProblem problem, const std::string& subject,
                          const std::string& what);
  // The status last written to the status file (JSON; refreshed every second and on
  // connection changes), for the HTTP API. Empty before the first write.
  std::string status_snapshot() const;
  // Something was stored by this process outside the core (an alert POSTed to the API): look
  // at the store now rather than at the next poll.
  void local_entry_stored();
  std::size_t connected_peers() const { return peer_status_.connected_count(); }
  // The core's counters, connection problems, per-peer state (by fingerprint and roster name,
  // never by address) and refused authors, as Prometheus metrics. Any thread (node_metrics.cpp).
  std::vector<Metric> metrics() const;

 private:
  // Everything below runs on the core thread.
  std::uint64_t now_ms() const;
  void flush_ingest();
  void poll_store();
  void refresh_membership();
  void send_outgoing();
  void pump(PeerId id);
  void note_duplicate(const PublicKey& key, const Link& existing, bool outbound,
                      const std::string& address);
  void schedule_tick();
  void refresh_peer_lag();
  ClockMsg local_clock() const;
  bool wants_log(const PublicKey& author) const;
  bool reads_our_logs(const PublicKey& key) const;
  void relink_changed_peers();

  // Set at construction, read by any thread.
  boost::asio::io_context& ioc_;
  Store& store_;
  const PublicKey own_key_;
  const NodeConfig config_;
  const std::chrono::steady_clock::time_point epoch_ = std::chrono::steady_clock::now();
  const std::uint64_t started_wall_ms_;

  // Any thread: atomics, or a Mutex of their own.
  NodeCounters counters_;
  std::atomic<PeerId> next_peer_id_{1};
  Membership membership_;
  PeerStatusTable peer_status_;
  RefusedAuthors refused_authors_;
  WarnLimiter problem_warnings_;

  // Core thread only.
  PublishingGate publishing_;
  std::unique_ptr<StoreLogReader> reader_;
  std::unique_ptr<Replicator> replicator_;
  LinkTable links_;
  std::unique_ptr<StoreWriter> writer_;
  std::unique_ptr<StorePoller> poller_;
  std::unique_ptr<NodeStatus> status_;  // snapshot(): any thread
  boost::asio::steady_timer tick_timer_;
  std::uint64_t ticks_ = 0;
  bool stopped_ = false;
};

}  // namespace ifex
