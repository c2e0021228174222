#include "node/http/search_readers.hpp"

namespace ifex {

SearchReaders::Lease::~Lease() {
  if (!index_) return;  // moved from
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
  if (!index) {
    auto opened = SearchIndex::open_readonly(dir_);
    if (!opened) return opened.error();
    index = std::move(*opened);
  } else if (auto st = index->refresh(); !st) {
    return st.error();
  }
  return Lease(*this, std::move(index));
}

}  // namespace ifex
