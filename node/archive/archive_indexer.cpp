#include "node/archive/archive_indexer.hpp"

#include <algorithm>

#include "protocol/alert.hpp"
#include "protocol/entry_kinds.hpp"

namespace ifex {

ArchiveIndexer::ArchiveIndexer(const Store& store, AlertCatalog& catalog, SearchIndex* search,
                               std::size_t batch_entries,
                               std::map<PublicKey, std::uint64_t> revoked)
    : store_(store), catalog_(catalog), search_(search),
      batch_entries_(std::max<std::size_t>(1, batch_entries)), revoked_(std::move(revoked)) {}

Result<std::map<PublicKey, std::pair<std::uint64_t, std::uint64_t>>> ArchiveIndexer::lag() const {
  auto heads = store_.clock();
  if (!heads) return heads.error();
  auto indexed = catalog_.clock();
  if (!indexed) return indexed.error();
  std::map<PublicKey, std::pair<std::uint64_t, std::uint64_t>> out;
  for (const auto& [author, head] : *heads) {
    auto it = indexed->find(author);
    std::uint64_t done = it == indexed->end() ? 0 : it->second;
    if (head.seq > done) out[author] = {done, head.seq};
  }
  return out;
}

Result<std::uint64_t> ArchiveIndexer::backlog() const {
  auto behind = lag();
  if (!behind) return behind.error();
  std::uint64_t total = 0;
  for (const auto& [author, range] : *behind) total += range.second - range.first;
  return total;
}

Result<std::uint64_t> ArchiveIndexer::catch_up(std::uint64_t max_entries,
                                               const std::function<void(std::uint64_t)>& progress) {
  auto behind = lag();
  if (!behind) return behind.error();
  std::uint64_t done_total = 0;
  for (const auto& [author, range] : *behind) {
    auto [done, head_seq] = range;
    while (done < head_seq) {
      if (max_entries != 0 && done_total >= max_entries) return done_total;
      std::size_t want = batch_entries_;
      if (max_entries != 0) want = std::min<std::uint64_t>(want, max_entries - done_total);
      auto entries = store_.log_range(author, done + 1, want);
      if (!entries) return entries.error();
      if (entries->empty()) break;  // the head moved under us; the next round sees it

      // Alerts keep their decoded form alive until both indexes have them.
      std::vector<Alert> alerts;
      alerts.reserve(entries->size());
      std::vector<CatalogAlert> rows;
      const auto revoked = revoked_.find(author);
      for (const auto& e : *entries) {
        if (revoked != revoked_.end() && e.seq() > revoked->second) continue;  // void
        // Reserved kinds stay in the chain but out of listings and search; alert is the one
        // listed kind today, so the catalog rows are alerts.
        if (!entry_kind(e.kind()).listed) continue;
        auto alert = decode_alert(e.payload());
        if (!alert) continue;  // stored entries were validated on arrival; be defensive anyway
        alerts.push_back(std::move(*alert));
        rows.push_back({e.id(), e.author(), e.seq(), e.created_ms(), nullptr});
      }
      for (std::size_t i = 0; i < rows.size(); ++i) rows[i].alert = &alerts[i];
      if (search_) {
        for (const auto& r : rows)
          if (auto st = search_->add({r.id, r.author, r.created_ms, *r.alert}); !st) return st.error();
        if (auto st = search_->commit(); !st) return st.error();
      }
      std::uint64_t through = entries->back().seq();
      if (auto st = catalog_.add(rows, {{author, through}}); !st) return st.error();
      done_total += entries->size();
      done = through;
      if (progress) progress(done_total);
    }
  }
  return done_total;
}

Result<std::uint64_t> ArchiveIndexer::void_revoked() {
  if (revoked_.empty()) return std::uint64_t{0};
  auto voided = catalog_.voided();
  if (!voided) return voided.error();
  auto indexed = catalog_.clock();
  if (!indexed) return indexed.error();
  std::uint64_t removed = 0;
  for (const auto& [author, last_valid] : revoked_) {
    // Done before, at this seq or an earlier one (which took out more).
    if (auto v = voided->find(author); v != voided->end() && v->second <= last_valid) continue;
    auto it = indexed->find(author);
    const std::uint64_t through = it == indexed->end() ? 0 : it->second;
    std::vector<CatalogRemoval> removals;
    for (std::uint64_t next = last_valid + 1; next <= through;) {
      auto entries = store_.log_range(author, next, batch_entries_);
      if (!entries) return entries.error();
      if (entries->empty()) break;
      for (const auto& e : *entries) {
        if (e.seq() > through) break;
        if (!entry_kind(e.kind()).listed) continue;
        if (search_)
          if (auto st = search_->remove(e.id()); !st) return st.error();
        removals.push_back({e.id(), e.created_ms()});
      }
      next = entries->back().seq() + 1;
    }
    if (search_)
      if (auto st = search_->commit(); !st) return st.error();
    if (auto st = catalog_.remove(removals, {{author, last_valid}}); !st) return st.error();
    removed += removals.size();
  }
  return removed;
}

}  // namespace ifex
