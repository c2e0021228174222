// NodeCore: the node's single-threaded heart while it runs. It owns the Replicator, writes
// verified entries to the store in group commits, tracks connections and counters, and writes
// the status file `ifexnode status` reads. Network sessions reach it only through the
// thread-safe entry points below, which post to the core's own io_context (one thread).
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
#include "node/net/peer_link.hpp"
#include "node/net/store_writer.hpp"
#include "node/store/store.hpp"
#include "protocol/gossip_messages.hpp"
#include "protocol/log_rules.hpp"
#include "protocol/replicator.hpp"

namespace ifex {

struct NodeCounters {
  std::atomic<std::uint64_t> entries_received{0};   // verified entries that arrived from peers
  std::atomic<std::uint64_t> entries_stored{0};     // of those, new
  std::atomic<std::uint64_t> duplicates{0};         // of those, already held
  std::atomic<std::uint64_t> entries_rejected{0};   // bad signature, invalid payload, unaccepted author
  std::atomic<std::uint64_t> entries_refused_future{0};  // of those, dated too far ahead
  std::atomic<std::uint64_t> peers_throttled{0};    // times a peer went over its inbound rate
  std::atomic<std::uint64_t> peers_dropped_for_rate{0};  // throttled for too long
  std::atomic<std::uint64_t> fork_proofs{0};        // new fork proofs stored
  std::atomic<std::uint64_t> handshakes_failed{0};
  std::atomic<std::uint64_t> peers_refused{0};      // authenticated but not welcome
  std::atomic<std::uint64_t> protocol_errors{0};    // malformed frames, broken limits, bad messages
  std::atomic<std::uint64_t> slow_peers_dropped{0};
  std::atomic<std::uint64_t> connections_refused{0};  // over max_connections or per-prefix cap
  std::atomic<std::uint64_t> connections_evicted{0};  // unauthenticated, closed to make room
  std::atomic<std::uint64_t> bytes_in{0};
  std::atomic<std::uint64_t> bytes_out{0};
  // Failed or refused connections between nodes, by ConnectionProblem.
  std::array<std::atomic<std::uint64_t>, connection_problem_count> connection_problems{};
};

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
  bool is_welcome(const PublicKey& key) const;
  bool is_connected(const PublicKey& key) const;
  // The peers to dial, refreshed from the store as the operator changes them.
  std::vector<PeerRecord> dial_list() const;

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
  std::size_t connected_peers() const;
  // The core's counters, connection problems, per-peer state (by fingerprint and roster name,
  // never by address) and refused authors, as Prometheus metrics. Any thread.
  std::vector<Metric> metrics() const;

 private:
  struct Link {
    PublicKey key;
    bool outbound;
    std::string address;
    std::shared_ptr<PeerLink> link;
    std::uint64_t since_ms;
  };
  struct PeerStatus {
    std::string last_error;
    std::uint64_t last_error_ms = 0;
    std::uint64_t connected_since_ms = 0;
    std::uint64_t last_duplicate_ms = 0;  // the last time a second link of this key came up
    std::uint64_t last_seen_ms = 0;       // connected until then (0: never while we ran)
    bool connected = false;
  };
  // Entries of one author this node does not accept (not on its roster): how far peers said
  // its log goes, and how many of its entries arrived and were refused anyway.
  struct RefusedAuthor {
    std::uint64_t offered = 0;
    std::uint64_t refused = 0;
  };
  static constexpr std::size_t max_refused_authors = 256;  // then the "other" bucket
  // Nodes that are not configured peers stay listed (status, /metrics) this long after they
  // were last connected; then they are forgotten.
  static constexpr std::uint64_t recently_seen_ms = 7ull * 24 * 3600 * 1000;
  class StoreReader;

  std::uint64_t now_ms() const;
  void flush_ingest();
  void poll_store();
  void refresh_membership();
  void send_outgoing();
  void pump(PeerId id);
  void write_status();
  void note_duplicate(const PublicKey& key, const Link& existing, bool outbound,
                      const std::string& address);
  boost::json::object connection_problem_counts() const;
  boost::json::array peers_json() const;
  void forget_old_peers();
  boost::json::object refused_authors_json() const;
  void note_refused_author(const PublicKey& author, std::uint64_t offered, std::uint64_t refused);
  void schedule_tick();
  void schedule_poll();
  void schedule_status();
  ClockMsg local_clock() const;
  bool accepts(const PublicKey& author) const;

  boost::asio::io_context& ioc_;
  Store& store_;
  PublicKey own_key_;
  NodeConfig config_;
  std::filesystem::path status_file_;
  NodeCounters counters_;
  std::atomic<PeerId> next_peer_id_{1};
  std::chrono::steady_clock::time_point epoch_ = std::chrono::steady_clock::now();
  std::uint64_t started_wall_ms_;

  std::unique_ptr<StoreReader> reader_;
  std::unique_ptr<Replicator> replicator_;
  std::map<PeerId, Link> links_;
  std::unique_ptr<StoreWriter> writer_;

  mutable std::mutex membership_mutex_;  // guards the membership below (read by network threads)
  std::set<PublicKey> roster_;
  std::map<PublicKey, std::string> roster_names_;
  std::vector<PeerRecord> peers_;
  std::set<PublicKey> connected_keys_;
  std::map<PublicKey, PeerStatus> peer_status_;
  std::map<PublicKey, RefusedAuthor> refused_authors_;
  RefusedAuthor refused_other_;  // authors beyond max_refused_authors: offered is the largest

  boost::asio::steady_timer tick_timer_;
  boost::asio::steady_timer poll_timer_;
  boost::asio::steady_timer status_timer_;
  bool stopped_ = false;
  WarnLimiter problem_warnings_;
  mutable std::mutex status_mutex_;
  std::string status_snapshot_;
};

}  // namespace ifex
