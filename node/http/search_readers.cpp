#include "node/http/search_readers.hpp"

namespace ifex {

SearchReaders::Lease::~Lease() {
  if (!index_ || !index_->usable()) return;  // moved from, or its shard connection failed
  std::lock_guard lock(owner_->mutex_);
  owner_->idle_.push_back(std::move(index_));
}

Result<SearchReaders::Lease> SearchReaders::borrow() {
  std::unique_ptr<SearchIndex> index;
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      index = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (index) {
    auto refreshed = index->refresh();
    if (!refreshed && index->usable()) return refreshed.error();
    // An idle connection to a shard may have been closed (a shard restarted): connect afresh.
    if (!refreshed) index.reset();
  }
  if (!index) {
    auto opened = open();
    if (!opened) return opened.error();
    index = std::move(*opened);
  }
  return Lease(*this, std::move(index));
}

Result<std::unique_ptr<SearchIndex>> SearchReaders::open() const {
  if (!shards_.empty()) return SearchIndex::open_remote(shards_, timeout_);
  return SearchIndex::open_readonly(dir_);
}

}  // namespace ifex
