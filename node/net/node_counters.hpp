// The running node's counters, declared once. IFEX_NODE_COUNTERS is the one list: it makes
// NodeCounters' fields, the "counters" object of the status JSON (`ifexnode status`,
// GET /api/status) and the counters of /metrics. A new counter is one row here; its status name
// is the field's name, and rows that share a metric name become labelled samples of one metric
// (bytes_in and bytes_out are ifexnode_bytes_total{direction="in"|"out"}).
//
// Threads: every field is an atomic any thread bumps (sessions on the network thread and their
// strands, the core thread); readers take relaxed snapshots. No lock.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "node/feed/metrics_text.hpp"
#include "node/net/connection_problems.hpp"

namespace ifex {

// X(field = status JSON name, metric name, label name, label value, metric help)
#define IFEX_NODE_COUNTERS(X)                                                                   \
  X(entries_received, "ifexnode_entries_received_total", "", "",                                \
    "Verified entries received from peers")                                                     \
  X(entries_stored, "ifexnode_entries_stored_total", "", "",                                    \
    "Entries received from peers that were new")                                                \
  X(duplicates, "ifexnode_duplicates_total", "", "", "Entries received that were already held") \
  X(entries_rejected, "ifexnode_entries_rejected_total", "", "",                                \
    "Entries refused: bad signature, invalid payload, unaccepted author")                       \
  X(entries_refused_future, "ifexnode_entries_refused_future_total", "", "",                    \
    "Entries refused because their author's clock is too far ahead of ours")                    \
  X(entries_revoked, "ifexnode_entries_revoked_total", "", "",                                  \
    "Entries refused because the federation revoked their key before their seq")                \
  X(peers_throttled, "ifexnode_peers_throttled_total", "", "",                                  \
    "Times a peer went over its inbound rate")                                                  \
  X(peers_dropped_for_rate, "ifexnode_peers_dropped_for_rate_total", "", "",                    \
    "Peers disconnected for staying over their inbound rate")                                   \
  X(fork_proofs, "ifexnode_fork_proofs_total", "", "", "New fork proofs stored")                \
  X(handshakes_failed, "ifexnode_handshakes_failed_total", "", "",                              \
    "Gossip handshakes that failed")                                                            \
  X(tls_handshakes_failed, "ifexnode_tls_handshakes_failed_total", "", "",                      \
    "Inbound TLS handshakes that failed (a scanner, an old client, a bad certificate)")         \
  X(peers_refused, "ifexnode_peers_refused_total", "", "", "Authenticated nodes refused")       \
  X(replayed_hellos, "ifexnode_replayed_hellos_total", "", "",                                  \
    "Handshake hellos dropped unanswered because they repeat a recent one")                     \
  X(protocol_errors, "ifexnode_protocol_errors_total", "", "",                                  \
    "Malformed frames and broken limits")                                                       \
  X(slow_peers_dropped, "ifexnode_slow_peers_dropped_total", "", "",                            \
    "Peers dropped for reading too slowly")                                                     \
  X(connections_refused, "ifexnode_connections_refused_total", "", "",                          \
    "Connections over a connection limit")                                                      \
  X(connections_evicted, "ifexnode_connections_evicted_total", "", "",                          \
    "Unauthenticated connections closed to make room for a new one")                            \
  X(bytes_in, "ifexnode_bytes_total", "direction", "in", "Gossip bytes on the wire")            \
  X(bytes_out, "ifexnode_bytes_total", "direction", "out", "Gossip bytes on the wire")

struct NodeCounters {
#define IFEX_COUNTER_FIELD(field, metric, label, value, help) std::atomic<std::uint64_t> field{0};
  IFEX_NODE_COUNTERS(IFEX_COUNTER_FIELD)
#undef IFEX_COUNTER_FIELD
  // Failed or refused connections between nodes, by ConnectionProblem: the status JSON's
  // "connection_problems" object and ifexnode_connection_problems_total{cause=...}.
  std::array<std::atomic<std::uint64_t>, connection_problem_count> connection_problems{};
};

// One row of IFEX_NODE_COUNTERS.
struct NodeCounterInfo {
  std::atomic<std::uint64_t> NodeCounters::*field;
  std::string_view status_name;
  std::string_view metric_name;
  std::string_view label_name;  // empty: the metric has no label
  std::string_view label_value;
  std::string_view help;
};

inline constexpr NodeCounterInfo node_counter_table[] = {
#define IFEX_COUNTER_ROW(field, metric, label, value, help) \
  {&NodeCounters::field, #field, metric, label, value, help},
    IFEX_NODE_COUNTERS(IFEX_COUNTER_ROW)
#undef IFEX_COUNTER_ROW
};

// The table's counters, then "connection_problems", in table order (the status JSON's
// "counters" object starts with these; the core appends the replicator's own).
boost::json::object counters_json(const NodeCounters& counters);
// The table's counters as Prometheus metrics, then ifexnode_connection_problems_total.
std::vector<Metric> counters_metrics(const NodeCounters& counters);

}  // namespace ifex
