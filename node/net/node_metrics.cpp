// NodeCore::metrics: the core's side of /metrics (the HTTP side adds its own). Runs on the HTTP
// pool: it reads only the parts any thread may read (counters, Membership, PeerStatusTable,
// RefusedAuthors), never the core-thread ones.
#include "keys/key_text.hpp"
#include "node/base/wall_clock.hpp"
#include "node/net/node_core.hpp"

namespace ifex {

std::vector<Metric> NodeCore::metrics() const {
  std::vector<Metric> out{Metric{"ifexnode_peers_connected",
                                 "Peers connected now",
                                 "gauge",
                                 {{{}, static_cast<double>(connected_peers())}},
                                 0,
                                 0}};
  for (Metric& m : counters_metrics(counters_)) out.push_back(std::move(m));

  // Per peer: labelled by fingerprint and roster name, never by address (a public hub's
  // /metrics must not say where its members connect from).
  Metric up{
      "ifexnode_peer_up", "1 while the peer is connected, 0 while it is down", "gauge", {}, 0, 0};
  for (const auto& [key, connected] :
       peer_status_.up(membership_.peer_keys(), wall_clock_ms(), 1024)) {
    MetricSample s{{{"peer", fingerprint(key)}}, connected ? 1.0 : 0.0};
    if (auto name = membership_.name(key)) s.labels["name"] = *name;
    up.samples.push_back(std::move(s));
  }
  // Replication lag per connected node, from what the core knows of it (Replicator::peer_lag):
  // its clock and Have notes, the entries it sent us, those we sent or noted to it. Counted
  // over the logs both carry, so one step per log, never a read of the store.
  Metric behind{"ifexnode_peer_behind_entries",
                "Entries this node holds, of the logs a connected node carries, that the node is "
                "not known to hold: neither said by it (its clock, its Have notes, entries it "
                "sent) nor sent or announced to it by this node. Stays above 0 while this node "
                "cannot get them to it (a slow link, a stalled catch-up, a node it does not "
                "serve). Refreshed every second; no sample while the node is down",
                "gauge",
                {},
                0,
                0};
  Metric ahead{"ifexnode_peer_ahead_entries",
               "Entries a connected node said it holds (its clock, its Have notes) of the logs "
               "this node carries, that this node does not hold yet. Refreshed every second; no "
               "sample while the node is down",
               "gauge",
               {},
               0,
               0};
  for (const auto& [key, lag] : peer_status_.lags()) {
    MetricSample s{{{"peer", fingerprint(key)}}, 0};
    if (auto name = membership_.name(key)) s.labels["name"] = *name;
    s.value = static_cast<double>(lag.peer_lacks);
    behind.samples.push_back(s);
    s.value = static_cast<double>(lag.we_lack);
    ahead.samples.push_back(std::move(s));
  }
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
  refused_authors_.add_samples(offered, refused);
  out.push_back(std::move(up));
  out.push_back(std::move(behind));
  out.push_back(std::move(ahead));
  out.push_back(std::move(offered));
  out.push_back(std::move(refused));
  return out;
}

}  // namespace ifex
