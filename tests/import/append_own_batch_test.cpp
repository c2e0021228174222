// Store::append_own_batch on a real temporary LMDB: one transaction signs a chain that continues
// the own log; all or nothing on failure. (The importer's batches; the store's other tests are in
// tests/node/store_test.cpp.)
#include <catch2/catch.hpp>

#include "node/store/store.hpp"
#include "protocol/alert.hpp"
#include "tests/support/temp_dir.hpp"

namespace ifex {
namespace {

using test::TempDir;

std::unique_ptr<Store> open_batch_store(const std::filesystem::path& dir) {
  StoreOptions options;
  options.dir = dir;
  options.map_size = std::size_t{64} << 20;
  auto store = Store::open(options);
  REQUIRE(store);
  return std::move(*store);
}

Bytes payload(const std::string& title, std::size_t body_bytes = 20) {
  Alert a;
  a.original = {"en", title, "Summary.", std::string(body_bytes, 'b')};
  a.country = "MX";
  a.categories = {"impunity"};
  return encode_alert(a);
}

TEST_CASE("append_own_batch signs a chain after the own log's head in one transaction",
          "[import][store]") {
  TempDir dir("batch");
  auto store = open_batch_store(dir / "store");
  const Identity id = Identity::from_seed(Bytes(Identity::seed_size, 3));
  auto single = store->append_own(id, EntryKind::alert, payload("first"), 100);
  REQUIRE(single);

  const std::vector<Bytes> payloads{payload("a"), payload("b"), payload("c")};
  const std::vector<std::uint64_t> times{200, 300, 300};
  auto batch = store->append_own_batch(id, EntryKind::alert, payloads, times);
  INFO((batch ? "" : batch.error().message));
  REQUIRE(batch);
  REQUIRE(batch->size() == 3);
  Hash prev = single->id();
  for (std::size_t i = 0; i < 3; ++i) {
    const SignedEntry& e = (*batch)[i];
    CHECK(e.seq() == i + 2);
    CHECK(e.prev() == prev);
    CHECK(e.created_ms() == times[i]);
    CHECK(e.payload() == payloads[i]);
    prev = e.id();
  }
  auto head = store->head(id.public_key());
  REQUIRE(head);
  CHECK((*head)->seq == 4);
  CHECK((*head)->id == prev);
  // The single-entry path goes on after the batch.
  auto next = store->append_own(id, EntryKind::alert, payload("next"), 400);
  REQUIRE(next);
  CHECK(next->seq() == 5);
  CHECK(next->prev() == prev);
  auto verify = store->verify();
  REQUIRE(verify);
  CHECK(verify->faults.empty());

  auto empty = store->append_own_batch(id, EntryKind::alert, {}, {});
  REQUIRE(empty);
  CHECK(empty->empty());
  CHECK(*store->entry_count() == 5);
}

TEST_CASE("append_own_batch writes nothing when one entry fails", "[import][store]") {
  TempDir dir("batch-fail");
  auto store = open_batch_store(dir / "store");
  const Identity id = Identity::from_seed(Bytes(Identity::seed_size, 4));
  // Within the alert's text limits, but over max_entry_bytes once signed.
  Alert huge;
  huge.original = {"en", "huge", std::string(8000, 's'), std::string(60000, 'b')};
  huge.country = "MX";
  huge.categories = {"impunity"};
  const std::vector<Bytes> failing{payload("ok"), encode_alert(huge), payload("ok 2")};
  auto batch =
      store->append_own_batch(id, EntryKind::alert, failing, std::vector<std::uint64_t>{1, 2, 3});
  REQUIRE_FALSE(batch);
  CHECK(batch.error().code == "too_large");
  CHECK_THAT(batch.error().message, Catch::StartsWith("entry 2 of the batch"));
  CHECK(*store->entry_count() == 0);
  CHECK_FALSE(*store->head(id.public_key()));

  const std::vector<Bytes> two{payload("a"), payload("b")};
  auto mismatch = store->append_own_batch(id, EntryKind::alert, two, std::vector<std::uint64_t>{1});
  REQUIRE_FALSE(mismatch);
  CHECK(mismatch.error().code == "invalid_argument");
  CHECK(*store->entry_count() == 0);
}

}  // namespace
}  // namespace ifex
