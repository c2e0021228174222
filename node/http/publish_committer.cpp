#include "node/http/publish_committer.hpp"

#include <vector>

#include "node/base/log.hpp"
#include "node/base/wall_clock.hpp"

namespace ifex {

PublishCommitter::PublishCommitter(Store& store, const Identity& identity, PublishLimits limits,
                                   std::function<void()> committed)
    : store_(store), identity_(identity), limits_(limits), committed_(std::move(committed)) {
  thread_ = std::thread([this] { run(); });
}

PublishCommitter::~PublishCommitter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_one();
  thread_.join();
}

Result<SignedEntry> PublishCommitter::publish(Bytes payload) {
  Waiting waiting;
  waiting.payload = std::move(payload);
  std::unique_lock lock(mutex_);
  if (stopping_) return make_error("shutting_down", "the node is stopping; publish again later");
  if (queue_.size() >= limits_.max_pending)
    return make_error("publish_queue_full",
                      std::to_string(queue_.size()) +
                          " publishes are already waiting to be committed ([http] "
                          "max_pending_publishes); retry shortly, or publish over fewer "
                          "connections");
  // Dated under the lock, so creation times follow the order of the log.
  waiting.created_ms = wall_clock_ms();
  queue_.push_back(&waiting);
  if (queue_.size() == 1) queued_.notify_one();
  done_.wait(lock, [&] { return waiting.outcome.has_value(); });
  return std::move(*waiting.outcome);
}

std::size_t PublishCommitter::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

PublishCommitter::Totals PublishCommitter::totals() const {
  std::lock_guard lock(mutex_);
  return totals_;
}

void PublishCommitter::run() {
  std::deque<Waiting*> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      // What is queued when stopping is still committed: its requests are waiting for it.
      if (queue_.empty()) return;
      while (!queue_.empty() && batch.size() < limits_.max_batch) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    commit(batch);
    batch.clear();
  }
}

void PublishCommitter::commit(std::deque<Waiting*>& batch) {
  // The payloads are read while their requests wait, untouched by anyone else: no lock needed.
  std::vector<Bytes> payloads;
  std::vector<std::uint64_t> created;
  payloads.reserve(batch.size());
  created.reserve(batch.size());
  for (Waiting* w : batch) {
    payloads.push_back(std::move(w->payload));
    created.push_back(w->created_ms);
  }
  auto outcomes = store_.append_own_each(identity_, EntryKind::alert, payloads, created);
  std::uint64_t stored = 0;
  {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (!outcomes) {
        batch[i]->outcome.emplace(outcomes.error());
        continue;
      }
      stored += (*outcomes)[i].ok() ? 1 : 0;
      batch[i]->outcome.emplace(std::move((*outcomes)[i]));
    }
    if (stored > 0) {
      totals_.transactions++;
      totals_.alerts += stored;
    }
  }
  done_.notify_all();
  if (!outcomes && outcomes.error().code != "publishing_held" && outcomes.error().code != "frozen")
    log_event(LogLevel::error, LogArea::http, "publish_failed",
              "cannot commit " + std::to_string(batch.size()) +
                  " published alerts: " + outcomes.error().message,
              {{"error", outcomes.error().message}});
  if (stored > 0 && committed_) committed_();
}

}  // namespace ifex
