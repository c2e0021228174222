// Keeps the derived indexes (the alert catalog and the search index) current with the store:
// whatever arrived from anywhere (gossip, `publish`, bundle or archive import) is indexed by
// comparing the store's per-author heads with the catalog's clock. Idempotent and crash-safe:
// the search index commits first, then the catalog advances its clock, so a crash in between
// re-indexes a batch (replacing documents by id) and loses nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <utility>

#include "keys/result.hpp"
#include "node/archive/alert_catalog.hpp"
#include "node/search/search_index.hpp"
#include "node/store/store.hpp"

namespace ifex {

class ArchiveIndexer {
 public:
  // `search` may be null (then only the catalog is kept).
  ArchiveIndexer(const Store& store, AlertCatalog& catalog, SearchIndex* search,
                 std::size_t batch_entries = 2000);

  // Entries the store holds that are not indexed yet.
  Result<std::uint64_t> backlog() const;

  // Indexes up to `max_entries` (all when 0) in batches; `progress` gets the running count.
  // Returns how many entries were indexed.
  Result<std::uint64_t> catch_up(std::uint64_t max_entries = 0,
                                 const std::function<void(std::uint64_t)>& progress = {});

 private:
  // Per author with entries not indexed yet: (indexed through seq, head seq).
  Result<std::map<PublicKey, std::pair<std::uint64_t, std::uint64_t>>> lag() const;
  const Store& store_;
  AlertCatalog& catalog_;
  SearchIndex* search_;
  std::size_t batch_entries_;
};

}  // namespace ifex
