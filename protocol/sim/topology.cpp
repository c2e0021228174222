#include "protocol/sim/topology.hpp"

#include <algorithm>

namespace ifex::sim {

namespace {

// The first connections of a federation that starts at once spread over a second, as nodes
// started together would dial.
constexpr std::uint64_t start_spread_ms = 1000;

bool linked(const std::vector<std::vector<std::uint32_t>>& adjacent, std::uint32_t a,
            std::uint32_t b) {
  const auto& n = adjacent[a];
  return std::find(n.begin(), n.end(), b) != n.end();
}

// Each node gets a degree drawn in [min, max]; nodes are joined at random among those still
// below their degree. Some may end a link short when the last candidates are already neighbours.
void random_graph(const std::vector<std::uint32_t>& nodes, Range degree, Rng& rng,
                  std::vector<std::vector<std::uint32_t>>& adjacent, std::vector<LinkSpec>& out) {
  if (nodes.size() < 2) return;
  const std::uint64_t cap = nodes.size() - 1;
  std::vector<std::uint64_t> target(adjacent.size(), 0);
  for (auto v : nodes) target[v] = std::min(cap, uniform(rng, degree.min, degree.max));
  std::vector<std::uint32_t> open = nodes;  // below their target degree
  std::vector<std::uint32_t> order = nodes;
  shuffle(rng, order);
  auto close = [&](std::uint32_t v) {
    auto it = std::find(open.begin(), open.end(), v);
    if (it != open.end()) {
      *it = open.back();
      open.pop_back();
    }
  };
  for (auto v : order) {
    int misses = 0;
    while (adjacent[v].size() < target[v] && open.size() > 1 && misses < 64) {
      const std::uint32_t u = open[uniform(rng, 0, open.size() - 1)];
      if (u == v || linked(adjacent, v, u)) {
        ++misses;
        continue;
      }
      adjacent[v].push_back(u);
      adjacent[u].push_back(v);
      out.push_back({v, u, uniform(rng, 0, start_spread_ms)});
      if (adjacent[u].size() >= target[u]) close(u);
    }
    close(v);
  }
}

}  // namespace

Topology build_topology(const Scenario& s, Rng& rng) {
  Topology t;
  const auto first_member = static_cast<std::uint32_t>(s.hub ? 1 : 0);
  const auto honest = static_cast<std::uint32_t>(first_member + s.members + s.relays);
  std::uint64_t sybils = 0;
  for (const auto& event : s.events)
    if (const auto* sybil = std::get_if<SybilEvent>(&event)) sybils += sybil->count;
  // Sized once: growing a vector of one-byte enums trips a false GCC 12 -Wstringop-overread.
  t.roles.assign(honest + sybils, Role::sybil);
  if (s.hub) t.roles[0] = Role::hub;
  std::fill_n(t.roles.begin() + first_member, s.members, Role::member);
  std::fill_n(t.roles.begin() + first_member + s.members, s.relays, Role::relay);

  std::vector<std::vector<std::uint32_t>> adjacent(honest);
  if (s.hub)
    for (std::uint32_t m = first_member; m < first_member + s.members; ++m) {
      adjacent[0].push_back(m);
      adjacent[m].push_back(0);
      t.links.push_back({0, m, uniform(rng, 0, start_spread_ms)});
    }
  std::vector<std::uint32_t> peers;
  for (std::uint32_t v = first_member; v < honest; ++v) peers.push_back(v);
  random_graph(peers, s.links.degree, rng, adjacent, t.links);

  std::uint32_t next = honest;
  for (const auto& event : s.events) {
    t.first_sybil.push_back(next);
    const auto* sybil = std::get_if<SybilEvent>(&event);
    if (!sybil) continue;
    for (std::uint64_t k = 0; k < sybil->count; ++k) {
      const std::uint32_t self = next++;
      std::vector<std::uint32_t> targets(honest);
      for (std::uint32_t v = 0; v < honest; ++v) targets[v] = v;
      // A partial shuffle: the first `links` places are a uniform sample.
      const std::uint64_t n = std::min<std::uint64_t>(sybil->links, honest);
      for (std::uint64_t i = 0; i < n; ++i)
        std::swap(targets[i], targets[uniform(rng, i, honest - 1)]);
      for (std::uint64_t i = 0; i < n; ++i)
        t.links.push_back({targets[i], self, sybil->at_ms + uniform(rng, 0, start_spread_ms)});
    }
  }
  return t;
}

}  // namespace ifex::sim
