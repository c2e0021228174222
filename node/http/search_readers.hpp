// Read-only handles on the search index for the threads answering HTTP requests. A Xapian
// database may be used by one thread at a time, so each request borrows a handle and gives it
// back; handles are opened lazily (the index may not exist until the indexer made it) and
// refreshed before each use so a search sees the indexer's latest commit. With remote shards
// ([search] remote), each handle is one connection to every shard; a handle whose shard failed
// is dropped rather than given back, so the next request connects afresh.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "keys/result.hpp"
#include "node/search/search_index.hpp"

namespace ifex {

class SearchReaders {
 public:
  explicit SearchReaders(std::filesystem::path dir) : dir_(std::move(dir)) {}
  SearchReaders(std::vector<RemoteShard> shards, std::chrono::milliseconds timeout)
      : shards_(std::move(shards)), timeout_(timeout) {}

  class Lease {
   public:
    Lease(SearchReaders& owner, std::unique_ptr<SearchIndex> index)
        : owner_(&owner), index_(std::move(index)) {}
    Lease(Lease&&) = default;
    ~Lease();
    SearchIndex& operator*() { return *index_; }
    SearchIndex* operator->() { return index_.get(); }

   private:
    SearchReaders* owner_;
    std::unique_ptr<SearchIndex> index_;
  };

  // A refreshed handle; errors when the index does not exist yet or cannot be read.
  Result<Lease> borrow();

 private:
  Result<std::unique_ptr<SearchIndex>> open() const;
  std::filesystem::path dir_;
  std::vector<RemoteShard> shards_;  // when not empty, searched instead of dir_
  std::chrono::milliseconds timeout_{0};
  std::mutex mutex_;
  std::vector<std::unique_ptr<SearchIndex>> idle_;
};

}  // namespace ifex
