// The full-text search index over alerts: a Xapian database derived from the store (it can be
// deleted and rebuilt at any time with `ifexnode reindex`). Each text is indexed with the
// Snowball stemmer of its own language (English, French, Spanish, Arabic; translations too), so
// a query finds other inflections of its words. Ranked with BM25; phrase and boolean queries;
// filters by language, country, category, author and event-date range.
//
// Threads: one SearchIndex object per thread (Xapian databases are not thread-safe). One writer
// per index directory at a time (Xapian's lock); readers may run beside it and see its commits
// after refresh().
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keys/bytes.hpp"
#include "keys/identity.hpp"
#include "keys/result.hpp"
#include "node/codec/archive_filters.hpp"
#include "node/codec/facet_counts.hpp"
#include "node/search/search_errors.hpp"
#include "protocol/alert.hpp"

namespace ifex {

// One alert as the index sees it.
struct IndexedAlert {
  Hash id;
  PublicKey author;
  std::uint64_t created_ms = 0;
  Alert alert;
};

// relevance: BM25; newest/oldest: by the alert's date, then relevance.
enum class SearchSort { relevance, newest, oldest };

struct SearchRequest {
  std::string query;  // user syntax: words, "phrases", AND/OR/NOT, -word, parentheses
  AlertFilters filters;
  std::size_t offset = 0;
  std::size_t limit = 20;
  SearchSort sort = SearchSort::relevance;
  // Count facets over the match set: every match is checked up to max_checked (it costs in
  // proportion to the matches checked, not to the page); past that, total is Xapian's estimate
  // and each count is scaled from the checked matches to it (facets.exact false).
  bool facets = false;
  std::uint64_t max_checked = 50'000;
};

struct SearchHit {
  Hash id;
  int percent = 0;           // Xapian's relevance percentage, 0..100
  std::string snippet_html;  // HTML-escaped text, matches wrapped in <mark>...</mark>
};

struct SearchResults {
  std::uint64_t total_estimate = 0;
  // facets.total is exact (facets.exact) when every match was checked: with request.facets up
  // to max_checked matches, or when there are fewer than about a thousand; else it is the
  // estimate. The facet maps are filled only with request.facets.
  FacetCounts facets;
  std::vector<SearchHit> hits;
};

// One part of a sharded index: an index opened for {number, count} keeps only the alerts whose
// id falls in that part (the id's first 8 bytes, big-endian, modulo count, equal number - 1), so
// N indexes opened for 1/N..N/N hold every alert exactly once. {1, 1} is the whole archive.
struct SearchShard {
  std::uint32_t number = 1;
  std::uint32_t count = 1;
  bool holds(const Hash& id) const;
  std::string spec() const;  // "I/N", or "" for the whole archive
};

// A shard served by xapian-tcpsrv (Xapian's remote backend).
struct RemoteShard {
  std::string host;
  std::uint16_t port = 0;
};

// Loads an alert by id for snippets (the index keeps ids, not texts); nullopt if unknown.
using AlertLoader = std::function<std::optional<Alert>(const Hash&)>;

class SearchIndex {
 public:
  // Creates the directory if needed. Fails with a clear message when another process holds the
  // write lock (search_errors::is_index_locked) or the database is damaged.
  // Opened for a part of a sharded index, add() keeps only that part's alerts. An index that
  // holds alerts of another part answers search_errors::shard_mismatch (reindex it).
  static Result<std::unique_ptr<SearchIndex>> open_writable(const std::filesystem::path& dir,
                                                            SearchShard shard = {});
  // Fails when the index does not exist yet (search_errors::is_no_index).
  static Result<std::unique_ptr<SearchIndex>> open_readonly(const std::filesystem::path& dir);
  // The shards together, searched as one index: Xapian combines their statistics, so ranks,
  // totals and facets are those of one index holding every shard's alerts. `timeout` bounds
  // the connection to each and every request. Errors: search_errors::shard_unavailable.
  static Result<std::unique_ptr<SearchIndex>> open_remote(const std::vector<RemoteShard>& shards,
                                                          std::chrono::milliseconds timeout);
  ~SearchIndex();

  // False once a remote shard failed under this handle: open a new one rather than reuse it.
  bool usable() const;

  // Adds or replaces (by id) one alert; visible to readers after commit(). Writable only (a
  // read-only index answers "read_only", as do commit() and set_metadata()).
  Status add(const IndexedAlert& alert);
  // Removes the alert with this id, if indexed; visible to readers after commit(). Writable only.
  Status remove(const Hash& id);
  Status commit();
  // Writable only: user metadata stored in the index, committed with the documents.
  Status set_metadata(const std::string& key, const std::string& value);
  Result<std::string> metadata(const std::string& key) const;

  // A readonly index re-reads the latest committed revision (cheap when nothing changed).
  Status refresh();
  Result<std::uint64_t> document_count() const;

  // Errors: search_errors::bad_query (the message explains, e.g. unbalanced quotes), I/O.
  // Words are ANDed (BM25-ranked). The query is read as English, French, Spanish, as typed
  // and (when filters.lang names another language) in that language, each alert scored by
  // its best reading: the lang filter selects alerts with a text in it, not the query's
  // language. Arabic-script words are always normalised and light-stemmed.
  // The snippet is cut from the text in filters.lang when the alert has one, else from the
  // first text with a match, else from the original; `load` may be empty (then snippets are
  // empty). `tag:SLUG` in the query keeps alerts with that campaign tag.
  Result<SearchResults> search(const SearchRequest& request, const AlertLoader& load) const;

 private:
  struct Impl;
  explicit SearchIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ifex
