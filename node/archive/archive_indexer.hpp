// Keeps the derived indexes (the alert catalog and the search index) current with the store:
// whatever arrived from anywhere (gossip, `publish`, bundle or archive import) is indexed by
// comparing the store's per-author heads with the catalog's clock. Idempotent and crash-safe:
// the search index commits first, then the catalog advances its clock, so a crash in between
// re-indexes a batch (replacing documents by id) and loses nothing. Entries of a key the
// federation revoked, after the revoked seq, are void: never indexed, and taken out of both
// indexes where they already were (void_revoked).
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
  // `search` may be null (then only the catalog is kept). `revoked`: revoked keys and the last
  // valid seq of each (node/store/federation_load.hpp, ended_keys).
  ArchiveIndexer(const Store& store, AlertCatalog& catalog, SearchIndex* search,
                 std::size_t batch_entries = 2000,
                 std::map<PublicKey, std::uint64_t> revoked = {});

  // Entries the store holds that are not indexed yet.
  Result<std::uint64_t> backlog() const;

  // Indexes up to `max_entries` (all when 0) in batches; `progress` gets the running count.
  // Returns how many entries were indexed.
  Result<std::uint64_t> catch_up(std::uint64_t max_entries = 0,
                                 const std::function<void(std::uint64_t)>& progress = {});

  // Takes the void entries of every revoked key out of the search index, then the catalog
  // (which records the revocation as carried out, so each is done once). Returns how many
  // alerts were taken out.
  Result<std::uint64_t> void_revoked();

 private:
  // Per author with entries not indexed yet: (indexed through seq, head seq).
  Result<std::map<PublicKey, std::pair<std::uint64_t, std::uint64_t>>> lag() const;
  const Store& store_;
  AlertCatalog& catalog_;
  SearchIndex* search_;
  std::size_t batch_entries_;
  std::map<PublicKey, std::uint64_t> revoked_;
};

}  // namespace ifex
