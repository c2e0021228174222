#include "node/home/config_diff.hpp"

#include <type_traits>
#include <variant>

#include "node/home/config_keys.hpp"

namespace ifex {

std::vector<std::string> changed_config_keys(const NodeConfig& before, const NodeConfig& after) {
  NodeConfig a = before, b = after;  // the fields are reached through non-const accessors
  std::vector<std::string> changed;
  for (const ConfigKey& key : config_keys()) {
    const bool differs = std::visit(
        [&](const auto& k) {
          if constexpr (std::is_same_v<std::decay_t<decltype(k)>, RoleKey>)
            return a.role != b.role;
          else
            return k.field(a) != k.field(b);
        },
        key.value);
    if (differs) changed.push_back(std::string(key.section) + "." + std::string(key.name));
  }
  return changed;
}

}  // namespace ifex
