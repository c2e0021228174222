// The alert catalog: a derived LMDB index (data dir `index/catalog/`) that lists alerts newest
// first under any combination of filters, with keyset pagination, so a page costs the same at
// any depth of a 1,000,000-alert archive. Like the search index it can be deleted and rebuilt
// from the store at any time (`ifexnode reindex`); it also records, per author, how far the
// store has been indexed.
//
// Layout (big-endian integers):
//   rows:   facet || sort_key -> ""      one row per alert for "all", its author, its country,
//                                        each category and each language it has text in
//   facets: id -> date(u32) created(u64) author(32) country categories langs (length-prefixed)
//   counts: facet -> u64                 rows under the facet, to scan the most selective one
//   clock:  author -> seq(u64)           entries of `author` up to seq have been indexed
//   recent: scope || facet || created_ms(u64) || id(32) -> ""
//                                        the same facets in signing order, for feeds; scope 'N'
//                                        (new reports only) and 'E' (everything, imported
//                                        archive records included); an archive record (one with
//                                        a legacy_id) has rows under 'E' only
//   counts also holds scope || facet -> rows under it, and year(facet kind 'y', value "YYYY")
//                                        -> alerts dated that year (a count without rows),
//                                        and 'p' || facet A || facet B -> alerts under both,
//                                        for each filterable facet A of an alert (author,
//                                        country, category, language) and each other facet B
//                                        of it, year included (counts without rows)
//           month (facet kind 'm', value "YYYY-MM") -> alerts dated that month, and 'p' ||
//                                        facet A || month for each filterable facet A (counts
//                                        without rows, for the timeline's months)
//           's' || facet A || period || facet k -> alerts under A dated in the period (a year
//                                        or a month facet) in category k, for A = '*' and each
//                                        filterable facet A of the alert, and each category k
//                                        of it (the timeline stacked by category)
//   voided: author -> seq(u64)           the author's key was revoked after seq: its rows after
//                                        it were removed (remove()), and are never added again
//   meta:   "layout" -> "4"              the layout above; an older catalog is emptied at open
//                                        and rebuilt from the store by the indexer, which
//                                        re-adds every alert to the search index too (so an
//                                        index from before its facet value slots is redone)
//   facet    = kind(1: '*','a','c','k','l','y','m') || len(u8) || value
//   sort_key = date YYYYMMDD(u32) || created_ms(u64) || id(32)   (44 bytes)
//
// Thread safety: one AlertCatalog per process (LMDB's rule for an environment); its methods may
// be called from any thread. One writer at a time (LMDB serialises them).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keys/identity.hpp"
#include "keys/result.hpp"
#include "node/codec/archive_filters.hpp"
#include "node/codec/facet_counts.hpp"
#include "node/codec/timeline_counts.hpp"
#include "protocol/alert.hpp"

namespace ifex {

namespace lmdb {
class Env;
}

using CatalogSortKey = std::array<std::uint8_t, 44>;

struct CatalogRow {
  Hash id;
  CatalogSortKey sort_key;
};

struct CatalogPage {
  std::vector<CatalogRow> rows;
  // Where the next page starts (hex of a sort key), or empty when the listing is complete.
  std::string next_cursor;
};

// What the catalog keeps of one alert.
struct CatalogAlert {
  Hash id;
  PublicKey author;
  std::uint64_t seq = 0;
  std::uint64_t created_ms = 0;
  const Alert* alert = nullptr;  // not owned
};

// An alert to take out of the listings: its id, and the signing time its rows are sorted by.
struct CatalogRemoval {
  Hash id;
  std::uint64_t created_ms = 0;
};

class AlertCatalog {
 public:
  struct Dbis;
  // Opens or creates the catalog. A catalog of an older layout is emptied here (in one
  // transaction), so the indexer rebuilds it from the store; rebuilt() then says so.
  static Result<std::unique_ptr<AlertCatalog>> open(const std::filesystem::path& dir,
                                                    std::size_t map_size);
  ~AlertCatalog();

  // True when open() emptied a catalog of an older layout.
  bool rebuilt() const { return rebuilt_; }

  // Adds alerts (idempotent by id) and raises the per-author clock, in one transaction.
  Status add(const std::vector<CatalogAlert>& alerts,
             const std::map<PublicKey, std::uint64_t>& clock_updates);

  // Newest first. `cursor` is a previous page's next_cursor (or empty for the first page).
  // At most `max_scanned` rows are examined per call: a sparse combination of filters may then
  // return a short page with a next_cursor, never a slow one.
  // Errors: "bad_cursor", I/O.
  Result<CatalogPage> list(const AlertFilters& filters, std::size_t limit,
                           const std::string& cursor, std::size_t max_scanned = 50'000) const;

  // Newest signed first (created_ms, then id), for feeds: at most `limit` ids matching
  // `filters` (the date range applies to the event date), archive records only when
  // `include_archive`. At most `max_scanned` rows are examined, so a sparse filter gives a short
  // list, never a slow one.
  Result<std::vector<Hash>> list_recent(const AlertFilters& filters, std::size_t limit,
                                        bool include_archive,
                                        std::size_t max_scanned = 50'000) const;

  // Takes alerts out of every listing (idempotent: unknown ids are skipped) and records, in the
  // same transaction, the revocations they carry out (author -> last valid seq): voided().
  Status remove(const std::vector<CatalogRemoval>& alerts,
                const std::map<PublicKey, std::uint64_t>& voids);
  Result<std::map<PublicKey, std::uint64_t>> voided() const;

  // The total and the facet counts of every alert matching `filters` (the same alerts list()
  // walks). Without filters, or with one of author/country/category/lang and no dates, they
  // are read from the counts table (one count per facet value, whatever the archive's size).
  // Any other combination scans the rows of the most selective filter within the date range,
  // at most `max_scanned` of them: past that the result says exact = false.
  Result<FacetCounts> facet_counts(const AlertFilters& filters,
                                   std::size_t max_scanned = 200'000) const;

  // Alerts matching `filters` per year (no `year`), or per month of `year`, each optionally
  // divided by category. Without filters, or with one of author/country/category/lang and no
  // dates, read from the counts table (no alert visited); any other combination walks the
  // rows of the most selective filter within the date range (and the year), at most
  // `max_scanned` of them: past that the result says exact = false.
  Result<TimelineCounts> timeline(const AlertFilters& filters, std::optional<int> year,
                                  bool by_category, std::size_t max_scanned = 200'000) const;

  Result<std::map<PublicKey, std::uint64_t>> clock() const;
  Result<std::uint64_t> count() const;

  // An opaque token that changes whenever the catalog changes (for HTTP ETags).
  Result<std::uint64_t> version() const;

 private:
  AlertCatalog();
  std::unique_ptr<lmdb::Env> env_;
  std::unique_ptr<Dbis> dbis_;
  bool rebuilt_ = false;
};

}  // namespace ifex
