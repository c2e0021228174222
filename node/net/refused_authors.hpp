// RefusedAuthors: authors this node does not accept (not on its roster) that peers offered: how
// far peers said each one's log goes, and how many of its entries arrived and were refused
// anyway. A member that has not rostered a new member would otherwise lack its alerts without a
// sign. At most max_authors are named; the rest share the "other" bucket.
//
// Threads: the core thread records (from peers' clocks and refused entries) and forgets authors
// once rostered; the core thread (status JSON) and the HTTP pool (/metrics) read. Everything
// below mutex_ is guarded by it.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>

#include "node/feed/metrics_text.hpp"
#include "node/base/thread_annotations.hpp"
#include "node/store/store.hpp"

namespace ifex {

class RefusedAuthors {
 public:
  static constexpr std::size_t max_authors = 256;

  // `offered`: the head a peer announced (the largest is kept); `refused`: entries refused.
  void note(const PublicKey& author, std::uint64_t offered, std::uint64_t refused) EXCLUDES(mutex_);
  // Forgets the authors now accepted.
  void forget(const std::set<PublicKey>& rostered) EXCLUDES(mutex_);

  // {"authors": [{key, fingerprint, entries_offered, entries_refused}...], "other": {...}}
  boost::json::object json() const EXCLUDES(mutex_);
  // Samples of ifexnode_unrostered_entries and ifexnode_unrostered_entries_refused_total, by
  // author fingerprint, then "other".
  void add_samples(Metric& offered, Metric& refused) const EXCLUDES(mutex_);

 private:
  struct Counts {
    std::uint64_t offered = 0;
    std::uint64_t refused = 0;
  };
  mutable Mutex mutex_;
  std::map<PublicKey, Counts> authors_ GUARDED_BY(mutex_);
  Counts other_ GUARDED_BY(mutex_);  // authors beyond max_authors: offered is the largest
};

}  // namespace ifex
