// PublishCommitter: group commit of alerts POSTed at the same time. Each request (on the HTTP
// pool) hands its encoded alert to ONE committer thread and waits. The committer takes what is
// queued, in queue order, signs it into this node's own log in one write transaction
// (Store::append_own_each, so seq and prev follow commit order), commits (LMDB syncs on commit),
// and only then wakes each request with its own outcome. N publishes in flight cost one fsync,
// and none is acknowledged before it is durable.
//
// Thread safety: publish() from any number of threads. The queue is guarded by mutex_; the
// committer thread owns the store writes.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "keys/identity.hpp"
#include "keys/result.hpp"
#include "node/store/store.hpp"

namespace ifex {

struct PublishLimits {
  std::size_t max_pending = 1024;  // publishes waiting at once; more are refused
  std::size_t max_batch = 256;     // entries per transaction
};

class PublishCommitter {
 public:
  // `committed` runs on the committer thread after each transaction that stored an entry (the
  // node wakes its core and indexer there). Starts the committer thread.
  PublishCommitter(Store& store, const Identity& identity, PublishLimits limits,
                   std::function<void()> committed);
  // Refuses what is still queued (`shutting_down`) and joins the thread.
  ~PublishCommitter();
  PublishCommitter(const PublishCommitter&) = delete;
  PublishCommitter& operator=(const PublishCommitter&) = delete;

  // Signs `payload` as the next alert of the node's own log and returns the entry once its
  // transaction committed. Blocks until then. Errors: `publish_queue_full` (max_pending are
  // waiting already: nothing was queued), `shutting_down`, and Store::append_own_each's (the
  // batch's, such as `publishing_held`, or this entry's own, such as `too_large`).
  Result<SignedEntry> publish(Bytes payload);

  // Publishes queued and not yet taken into a transaction.
  std::size_t pending() const;
  // Since start: transactions that stored alerts (one sync each), and the alerts they stored.
  struct Totals {
    std::uint64_t transactions = 0;
    std::uint64_t alerts = 0;
  };
  Totals totals() const;

 private:
  struct Waiting {
    Bytes payload;
    std::uint64_t created_ms = 0;
    std::optional<Result<SignedEntry>> outcome;  // set by the committer, under mutex_
  };

  void run();
  void commit(std::deque<Waiting*>& batch);

  Store& store_;
  const Identity& identity_;
  const PublishLimits limits_;
  std::function<void()> committed_;

  mutable std::mutex mutex_;
  std::condition_variable queued_;  // the committer waits here for work
  std::condition_variable done_;    // requests wait here for their outcome
  std::deque<Waiting*> queue_;      // guarded by mutex_; each owned by its waiting request
  bool stopping_ = false;           // guarded by mutex_
  Totals totals_;                   // guarded by mutex_
  std::thread thread_;
};

}  // namespace ifex
