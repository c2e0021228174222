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
  out.push_back(std::move(offered));
  out.push_back(std::move(refused));
  return out;
}

}  // namespace ifex
