#include "node/archive/index_worker.hpp"

#include "node/archive/archive_indexer.hpp"
#include "node/archive/index_progress.hpp"
#include "node/base/log.hpp"
#include "node/search/search_index.hpp"
#include "node/store/federation_load.hpp"

namespace ifex {

namespace {
// Entries per round: small enough that stop() and new local alerts never wait long.
constexpr std::uint64_t round_entries = 5000;
constexpr std::chrono::seconds progress_interval{10};
}  // namespace

IndexWorker::IndexWorker(const Store& store, AlertCatalog& catalog,
                         std::optional<std::filesystem::path> search_dir, SearchShard shard,
                         std::chrono::milliseconds interval)
    : store_(store),
      catalog_(catalog),
      search_dir_(std::move(search_dir)),
      shard_(shard),
      interval_(interval) {}

IndexWorker::~IndexWorker() { stop(); }

void IndexWorker::start() { thread_ = std::thread([this] { run(); }); }

void IndexWorker::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_one();
}

void IndexWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void IndexWorker::run() {
  // Each failure is logged when it starts or changes, not every round while it lasts.
  std::string last_open_error, last_index_error;
  IndexProgressLog progress(round_entries, progress_interval);
  if (catalog_.rebuilt())
    log_event(LogLevel::info, LogArea::index, "catalog_rebuilding",
              "the alert catalog was written by an older version: rebuilding it from the store");
  for (;;) {
    bool busy = false;
    if (search_dir_ && !search_) {
      auto opened = SearchIndex::open_writable(*search_dir_, shard_);
      if (opened) {
        search_ = std::move(*opened);
        last_open_error.clear();
      } else if (opened.error().message != last_open_error) {
        last_open_error = opened.error().message;
        log_event(LogLevel::warn, LogArea::index, "search_index_unavailable",
                  "search index: " + last_open_error + " (retrying)",
                  {{"error", last_open_error}});
      }
    }
    if (search_ || !search_dir_) {
      const auto round_started = std::chrono::steady_clock::now();
      // Revocations are read each round: one that took effect since is carried out now.
      auto revoked = ended_keys(store_);
      if (!revoked)
        log_event(LogLevel::warn, LogArea::index, "ends_unreadable",
                  "indexing: cannot read the federation's revocations: " + revoked.error().message,
                  {{"error", revoked.error().message}});
      ArchiveIndexer indexer(store_, catalog_, search_.get(), 2000,
                             revoked ? std::move(*revoked) : std::map<PublicKey, std::uint64_t>{});
      auto voided = indexer.void_revoked();
      if (voided && *voided > 0)
        log_event(LogLevel::info, LogArea::index, "alerts_voided",
                  "took " + std::to_string(*voided) +
                      " alerts of revoked keys out of the listings and the search index",
                  {{"count", std::to_string(*voided)}});
      auto backlog = indexer.backlog();
      auto done = voided ? indexer.catch_up(round_entries) : Result<std::uint64_t>(voided.error());
      if (!done) {
        if (done.error().message != last_index_error)
          log_event(LogLevel::warn, LogArea::index, "indexing_failed",
                    "indexing: " + done.error().message + " (retrying)",
                    {{"error", done.error().message}});
        last_index_error = done.error().message;
        // A Xapian write that failed (a full disk, above all) can leave the handle refusing
        // every later write; open it afresh next round. The catalog's clock stopped before the
        // failed batch, so that batch is redone from there, idempotently.
        search_.reset();
      } else {
        if (!last_index_error.empty())
          log_event(LogLevel::info, LogArea::index, "indexing_recovered", "indexing works again");
        last_index_error.clear();
        busy = *done == round_entries;
        if (*done > 0)
          log_event(LogLevel::debug, LogArea::index, "indexed",
                    "indexed " + std::to_string(*done) + " entries",
                    {{"count", std::to_string(*done)}});
        if (backlog)
          for (const auto& line : progress.after_round(round_started, *backlog, *done, !busy))
            log_event(LogLevel::info, LogArea::index, "indexing_progress", line);
      }
    }
    std::unique_lock lock(mutex_);
    if (!busy) cv_.wait_for(lock, interval_, [this] { return stopping_ || woken_; });
    if (stopping_) break;
    woken_ = false;
  }
  search_.reset();  // releases the write lock
}

}  // namespace ifex
