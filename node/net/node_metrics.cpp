// NodeCore::metrics: the core's side of /metrics (the HTTP side adds its own).
#include <algorithm>

#include "keys/key_text.hpp"
#include "node/base/wall_clock.hpp"
#include "node/net/node_core.hpp"

namespace ifex {

namespace {

Metric counter(std::string name, std::string help, std::uint64_t v) {
  return Metric{std::move(name), std::move(help), "counter", {{{}, static_cast<double>(v)}}, 0, 0};
}

}  // namespace

std::vector<Metric> NodeCore::metrics() const {
  const NodeCounters& c = counters_;
  std::vector<Metric> out{
      Metric{"ifexnode_peers_connected",
             "Peers connected now",
             "gauge",
             {{{}, static_cast<double>(connected_peers())}},
             0,
             0},
      counter("ifexnode_entries_received_total", "Verified entries received from peers",
              c.entries_received),
      counter("ifexnode_entries_stored_total", "Entries received from peers that were new",
              c.entries_stored),
      counter("ifexnode_duplicates_total", "Entries received that were already held", c.duplicates),
      counter("ifexnode_entries_rejected_total",
              "Entries refused: bad signature, invalid payload, unaccepted author",
              c.entries_rejected),
      counter("ifexnode_entries_refused_future_total",
              "Entries refused because their author's clock is too far ahead of ours",
              c.entries_refused_future),
      counter("ifexnode_peers_throttled_total", "Times a peer went over its inbound rate",
              c.peers_throttled),
      counter("ifexnode_peers_dropped_for_rate_total",
              "Peers disconnected for staying over their inbound rate", c.peers_dropped_for_rate),
      counter("ifexnode_fork_proofs_total", "New fork proofs stored", c.fork_proofs),
      counter("ifexnode_handshakes_failed_total", "Gossip handshakes that failed",
              c.handshakes_failed),
      counter("ifexnode_peers_refused_total", "Authenticated nodes refused", c.peers_refused),
      counter("ifexnode_protocol_errors_total", "Malformed frames and broken limits",
              c.protocol_errors),
      counter("ifexnode_slow_peers_dropped_total", "Peers dropped for reading too slowly",
              c.slow_peers_dropped),
      counter("ifexnode_connections_refused_total", "Connections over a connection limit",
              c.connections_refused),
      counter("ifexnode_connections_evicted_total",
              "Unauthenticated connections closed to make room for a new one",
              c.connections_evicted)};
  out.push_back(Metric{"ifexnode_bytes_total",
                       "Gossip bytes on the wire",
                       "counter",
                       {{{{"direction", "in"}}, static_cast<double>(c.bytes_in.load())},
                        {{{"direction", "out"}}, static_cast<double>(c.bytes_out.load())}},
                       0,
                       0});
  Metric problems{"ifexnode_connection_problems_total",
                  "Failed or refused connections between nodes, by likely cause",
                  "counter",
                  {},
                  0,
                  0};
  for (std::size_t i = 0; i < connection_problem_count; ++i)
    problems.samples.push_back(
        {{{"cause", std::string(problem_name(static_cast<ConnectionProblem>(i)))}},
         static_cast<double>(c.connection_problems[i].load())});
  out.push_back(std::move(problems));

  // Per peer: labelled by fingerprint and roster name, never by address (a public hub's
  // /metrics must not say where its members connect from).
  Metric up{
      "ifexnode_peer_up", "1 while the peer is connected, 0 while it is down", "gauge", {}, 0, 0};
  Metric offered{"ifexnode_unrostered_entries",
                 "Entries peers hold of authors this node does not accept (not on its roster), "
                 "by author fingerprint",
                 "gauge",
                 {},
                 0,
                 0};
  Metric refused{"ifexnode_unrostered_entries_refused_total",
                 "Entries that arrived and were refused because their author is not on the "
                 "roster, by author fingerprint",
                 "counter",
                 {},
                 0,
                 0};
  {
    std::lock_guard lock(membership_mutex_);
    const std::uint64_t now = wall_clock_ms();
    std::set<PublicKey> keys;
    for (const auto& p : peers_)
      if (p.key != own_key_) keys.insert(p.key);
    for (const auto& [key, st] : peer_status_)
      if (keys.size() < 1024 &&
          (st.connected || (st.last_seen_ms != 0 && now - st.last_seen_ms < recently_seen_ms)))
        keys.insert(key);
    for (const PublicKey& key : keys) {
      auto st = peer_status_.find(key);
      auto name = roster_names_.find(key);
      MetricSample s{{{"peer", fingerprint(key)}}, 0};
      if (name != roster_names_.end()) s.labels["name"] = name->second;
      s.value = st != peer_status_.end() && st->second.connected ? 1 : 0;
      up.samples.push_back(std::move(s));
    }
    for (const auto& [key, r] : refused_authors_) {
      offered.samples.push_back({{{"author", fingerprint(key)}}, static_cast<double>(r.offered)});
      refused.samples.push_back({{{"author", fingerprint(key)}}, static_cast<double>(r.refused)});
    }
    offered.samples.push_back({{{"author", "other"}}, static_cast<double>(refused_other_.offered)});
    refused.samples.push_back({{{"author", "other"}}, static_cast<double>(refused_other_.refused)});
  }
  out.push_back(std::move(up));
  out.push_back(std::move(offered));
  out.push_back(std::move(refused));
  return out;
}

}  // namespace ifex
