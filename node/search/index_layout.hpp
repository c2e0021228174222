// The search index's value slots and layout version, shared by the code that writes documents
// (search_index.cpp) and the code that brings an older index up to date (index_layout.cpp).
// Internal to node/search.
#pragma once

#include <xapian.h>

#include <string>

namespace ifex::index_layout {

constexpr Xapian::valueno date_slot = 0;   // YYYYMMDD: the event date, else the signing day
constexpr Xapian::valueno facet_slot = 1;  // the facets, for counting them (search_index.cpp)
// YYYYMMDD then the 32 raw bytes of the id: the order of "newest" and "oldest", and the tie
// break of "relevance". Unique, so an order never depends on Xapian's document numbers, which
// differ between one index and the same alerts spread over shards.
constexpr Xapian::valueno sort_slot = 2;

constexpr char layout_key[] = "ifex.layout";
constexpr char current_layout[] = "2";  // 1 (no key): before sort_slot
constexpr char shard_key[] = "ifex.shard";  // SearchShard::spec() of the alerts indexed

inline std::string sort_value(const std::string& compact_date, const std::string& raw_id) {
  return compact_date + raw_id;
}

// Writes sort_slot into every document that lacks it (from its date_slot and its data, the
// id), committing every `batch` documents, then records current_layout. A value-only change:
// Xapian rewrites no term lists (2.6 s for 100,000 documents of 150 words here).
void upgrade(Xapian::WritableDatabase& db, unsigned batch = 10'000);

}  // namespace ifex::index_layout
