// Who is in the simulated federation and who links to whom: the hub linked to every member;
// each member and relay with a degree drawn in the scenario's range, linked at random among the
// members and relays; each Sybil relay linked to random honest nodes.
#pragma once

#include <cstdint>
#include <vector>

#include "protocol/sim/random.hpp"
#include "protocol/sim/scenario.hpp"

namespace ifex::sim {

enum class Role : std::uint8_t { hub, member, relay, sybil };

struct LinkSpec {
  std::uint32_t a = 0;
  std::uint32_t b = 0;
  std::uint64_t dial_at_ms = 0;  // first connection attempt
};

struct Topology {
  // Node indices: the hub first (if any), then members, relays, and the Sybils of each sybil
  // event in the scenario's order.
  std::vector<Role> roles;
  std::vector<LinkSpec> links;
  // For each event of the scenario: its Sybils' first index (others: unused).
  std::vector<std::uint32_t> first_sybil;
};

Topology build_topology(const Scenario& scenario, Rng& rng);

}  // namespace ifex::sim
