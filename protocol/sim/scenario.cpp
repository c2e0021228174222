#include "protocol/sim/scenario.hpp"

#include <algorithm>
#include <cmath>

namespace ifex::sim {

Scenario with_node_count(Scenario scenario, std::uint64_t total) {
  const std::uint64_t hub = scenario.hub ? 1 : 0;
  const std::uint64_t rest = total > hub + 2 ? total - hub : 2;
  const double share = scenario.members + scenario.relays == 0
                           ? 1.0
                           : static_cast<double>(scenario.members) /
                                 static_cast<double>(scenario.members + scenario.relays);
  // At least two members: alerts need an author and someone to reach.
  std::uint64_t members =
      std::max<std::uint64_t>(2, static_cast<std::uint64_t>(std::llround(share * rest)));
  members = std::min(members, rest);
  scenario.members = members;
  scenario.relays = rest - members;
  return scenario;
}

}  // namespace ifex::sim
