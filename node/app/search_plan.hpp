// Where this node's full-text search lives, from [search] (node/home/search_settings.hpp): a
// local index of every alert (the default), a local index of one shard (a node that serves its
// part to a hub through xapian-tcpsrv), or remote shards and no local index (the hub).
#pragma once

#include <chrono>
#include <vector>

#include "keys/result.hpp"
#include "node/home/config.hpp"
#include "node/search/search_index.hpp"

namespace ifex {

struct SearchPlan {
  SearchShard shard;                 // of the local index
  std::vector<RemoteShard> remote;   // not empty: search these, keep no local index
  std::chrono::milliseconds remote_timeout{10'000};
  bool local_index() const { return remote.empty(); }
};

Result<SearchPlan> search_plan(const SearchConfig& config);

}  // namespace ifex
