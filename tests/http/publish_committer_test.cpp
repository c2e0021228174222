// The publish committer on a real temporary LMDB: concurrent publishes each get their own entry
// of one unbroken chain, a full queue refuses at once, an entry refused on its own costs the
// others nothing.
#include "node/http/publish_committer.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <set>
#include <thread>

#include "protocol/alert.hpp"
#include "tests/support/temp_dir.hpp"

namespace ifex {
namespace {

using test::TempDir;

Bytes alert_payload(const std::string& title, std::size_t body_bytes = 40) {
  Alert a;
  a.original = {"en", title, "A summary.", std::string(body_bytes, 'b')};
  a.country = "TN";
  a.categories = {"press-freedom"};
  return encode_alert(a);
}

std::unique_ptr<Store> open_store(const TempDir& dir, std::size_t max_entry_bytes = 64 * 1024) {
  StoreOptions options;
  options.dir = dir.path();
  options.map_size = std::size_t{64} << 20;
  options.limits.max_entry_bytes = max_entry_bytes;
  auto store = Store::open(options);
  REQUIRE(store);
  return std::move(*store);
}

// Polls `done` (bounded): the committer's thread gets there on its own time.
void wait_for(const std::function<bool()>& done) {
  for (int i = 0; i < 10'000 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  REQUIRE(done());
}

TEST_CASE("concurrent publishes form one chain, each entry acknowledged once", "[publish]") {
  TempDir dir("committer");
  auto store = open_store(dir);
  Identity me = Identity::generate();
  std::atomic<int> batches{0};
  constexpr int threads = 8, each = 50;
  std::vector<std::vector<SignedEntry>> got(threads);
  std::vector<std::string> errors;
  std::mutex errors_mutex;
  {
    PublishCommitter committer(*store, me, PublishLimits{64, 16}, [&] { batches++; });
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        for (int i = 0; i < each; ++i) {
          auto e = committer.publish(alert_payload("t" + std::to_string(t) + " " + std::to_string(i)));
          if (e) {
            got[t].push_back(std::move(*e));
          } else {
            std::lock_guard lock(errors_mutex);
            errors.push_back(e.error().message);
          }
        }
      });
    for (auto& th : pool) th.join();
  }
  REQUIRE(errors.empty());
  std::set<std::uint64_t> seqs;
  for (const auto& entries : got) {
    REQUIRE(entries.size() == each);
    // One client's publishes are answered in its order, so its seqs rise.
    for (std::size_t i = 1; i < entries.size(); ++i) CHECK(entries[i].seq() > entries[i - 1].seq());
    for (const auto& e : entries) {
      seqs.insert(e.seq());
      auto stored = store->entry_at(me.public_key(), e.seq());
      REQUIRE(stored);
      REQUIRE(*stored);
      CHECK((*stored)->id() == e.id());
    }
  }
  CHECK(seqs.size() == threads * each);
  CHECK(*seqs.begin() == 1);
  CHECK(*seqs.rbegin() == threads * each);
  CHECK(batches.load() >= 1);
  CHECK(batches.load() <= threads * each);
  auto report = store->verify();
  REQUIRE(report);
  CHECK(report->faults.empty());
}

TEST_CASE("a full queue refuses at once; an entry too large is refused alone", "[publish]") {
  TempDir dir("committer");
  auto store = open_store(dir, entry_overhead + 400);
  Identity me = Identity::generate();
  // The committer calls `committed` after a transaction: holding it there keeps the next
  // publish queued, so the queue's bound can be reached without racing the clock.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> holding{false};
  std::atomic<int> calls{0};
  PublishCommitter committer(*store, me, PublishLimits{1, 16}, [&] {
    if (calls++ == 0) {
      holding = true;
      released.wait();
    }
  });
  auto first = committer.publish(alert_payload("first"));
  REQUIRE(first);
  CHECK(first->seq() == 1);
  wait_for([&] { return holding.load(); });

  auto second = std::async(std::launch::async, [&] { return committer.publish(alert_payload("second")); });
  wait_for([&] { return committer.pending() == 1; });
  auto refused = committer.publish(alert_payload("third"));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "publish_queue_full");
  release.set_value();
  auto second_result = second.get();
  REQUIRE(second_result);
  CHECK(second_result->seq() == 2);

  auto too_large = committer.publish(alert_payload("big", 1000));
  REQUIRE_FALSE(too_large);
  CHECK(too_large.error().code == "too_large");
  auto after = committer.publish(alert_payload("after"));
  REQUIRE(after);
  CHECK(after->seq() == 3);
  CHECK(after->prev() == second_result->id());
}

}  // namespace
}  // namespace ifex
