#include "node/app/search_plan.hpp"

#include "node/home/search_settings.hpp"

namespace ifex {

Result<SearchPlan> search_plan(const SearchConfig& config) {
  auto spec = parse_shard_spec(config.shard);
  if (!spec) return spec.error();
  auto addresses = parse_shard_addresses(config.remote);
  if (!addresses) return addresses.error();
  SearchPlan plan;
  plan.shard = SearchShard{spec->number, spec->count};
  for (auto& a : *addresses) plan.remote.push_back(RemoteShard{std::move(a.host), a.port});
  plan.remote_timeout = std::chrono::milliseconds(config.remote_timeout_ms);
  return plan;
}

}  // namespace ifex
