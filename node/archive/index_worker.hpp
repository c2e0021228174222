// The running node's indexing thread: every `interval` (or sooner when woken) it indexes what
// the store gained since the last round, in bounded rounds so that stop() is prompt even during
// a large catch-up. Owns the search index's write lock for the node's lifetime. Without a search
// dir (the node searches remote shards) it keeps only the alert catalog.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "node/archive/alert_catalog.hpp"
#include "node/search/search_index.hpp"
#include "node/store/store.hpp"

namespace ifex {

class IndexWorker {
 public:
  IndexWorker(const Store& store, AlertCatalog& catalog,
              std::optional<std::filesystem::path> search_dir, SearchShard shard,
              std::chrono::milliseconds interval);
  ~IndexWorker();  // stops and joins

  void start();
  void wake();  // something was stored: index it without waiting for the interval
  void stop();

 private:
  void run();
  const Store& store_;
  AlertCatalog& catalog_;
  std::optional<std::filesystem::path> search_dir_;
  SearchShard shard_;
  std::chrono::milliseconds interval_;
  std::unique_ptr<SearchIndex> search_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace ifex
