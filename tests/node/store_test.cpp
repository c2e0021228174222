// The store on a real temporary LMDB: group commit, reopen, chain outcomes, forks, reads, the
// roster, verify against damage made behind its back, and a full map.
#include "node/store/store.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>

#include "protocol/alert.hpp"
#include "tests/support/lmdb_tamper.hpp"
#include "tests/support/temp_dir.hpp"

namespace ifex {
namespace {

using test::TempDir;

constexpr std::uint64_t t0 = 1'750'000'000'000;  // a fixed creation time, ms

Bytes alert_payload(const std::string& title) {
  Alert a;
  a.original = {"en", title, "A summary.", "A body long enough to look like a real report."};
  a.country = "TN";
  a.categories = {"press-freedom"};
  a.event_date = "2025-05-03";
  REQUIRE(validate_alert(a, Vocabulary::known_only));
  return encode_alert(a);
}

SignedEntry make_entry(const Identity& id, std::uint64_t seq, const Hash& prev,
                       std::uint64_t created, const std::string& title) {
  return sign_entry(id,
                    {id.public_key(), seq, prev, created, EntryKind::alert, alert_payload(title)});
}

// Entries first_seq .. first_seq + n - 1 of `id`'s log, continuing after `prev`.
std::vector<SignedEntry> make_chain(const Identity& id, std::size_t n, std::uint64_t first_seq = 1,
                                    Hash prev = {}) {
  std::vector<SignedEntry> out;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t seq = first_seq + i;
    out.push_back(make_entry(id, seq, prev, t0 + seq * 1000, "alert " + std::to_string(seq)));
    prev = out.back().id();
  }
  return out;
}

std::unique_ptr<Store> open_store(const std::filesystem::path& dir,
                                  std::size_t map_size = std::size_t{64} << 20) {
  StoreOptions options;
  options.dir = dir;
  options.map_size = map_size;
  auto store = Store::open(options);
  INFO((store ? "" : store.error().message));
  REQUIRE(store);
  return std::move(*store);
}

std::vector<AppendOutcome> outcomes(Store& store, std::span<const SignedEntry> entries) {
  auto results = store.append(entries);
  INFO((results ? "" : results.error().message));
  REQUIRE(results);
  REQUIRE(results->size() == entries.size());
  std::vector<AppendOutcome> out;
  for (const auto& r : *results) out.push_back(r.outcome);
  return out;
}

std::vector<AppendOutcome> all(AppendOutcome o, std::size_t n) {
  return std::vector(n, o);
}

std::uint64_t count(const Store& store) {
  auto n = store.entry_count();
  REQUIRE(n);
  return *n;
}

void require_sound(const Store& store) {
  auto report = store.verify();
  REQUIRE(report);
  for (const auto& f : report->faults) UNSCOPED_INFO("fault: " << f);
  REQUIRE(report->faults.empty());
}

TEST_CASE("a batch is committed as one append and survives reopening", "[store]") {
  TempDir dir("store");
  Identity alice = Identity::generate(), bob = Identity::generate();
  auto a = make_chain(alice, 20);
  auto b = make_chain(bob, 7);
  std::vector<SignedEntry> batch;
  // Interleaved authors: the batch is checked entry by entry against the heads it updates.
  for (std::size_t i = 0; i < a.size(); ++i) {
    batch.push_back(a[i]);
    if (i < b.size()) batch.push_back(b[i]);
  }
  {
    auto store = open_store(dir.path());
    CHECK(outcomes(*store, batch) == all(AppendOutcome::stored, batch.size()));
    CHECK(count(*store) == 27);
  }
  auto store = open_store(dir.path());
  CHECK(count(*store) == 27);
  for (const auto& e : batch) {
    auto got = store->entry_by_id(e.id());
    REQUIRE(got);
    REQUIRE(*got);
    CHECK((*got)->bytes() == e.bytes());
  }
  auto clock = store->clock();
  REQUIRE(clock);
  REQUIRE(clock->size() == 2);
  for (const auto& [author, head] : *clock) {
    const auto& chain = author == alice.public_key() ? a : b;
    CHECK(head == LogHead{chain.size(), chain.back().id()});
  }
  auto head = store->head(alice.public_key());
  REQUIRE(head);
  CHECK(*head == LogHead{20, a.back().id()});
  auto none = store->head(Identity::generate().public_key());
  REQUIRE(none);
  CHECK_FALSE(*none);
  require_sound(*store);
}

TEST_CASE("re-appending held entries reports duplicates and changes nothing", "[store]") {
  TempDir dir("store");
  auto store = open_store(dir.path());
  Identity alice = Identity::generate();
  auto chain = make_chain(alice, 5);
  REQUIRE(outcomes(*store, chain) == all(AppendOutcome::stored, 5));
  CHECK(outcomes(*store, chain) == all(AppendOutcome::duplicate, 5));
  // Old and new in one batch: the old are duplicates, the new continue the chain.
  auto more = make_chain(alice, 2, 6, chain.back().id());
  std::vector<SignedEntry> mixed{chain[3], chain[4], more[0], more[1], more[0]};
  CHECK(outcomes(*store, mixed) == std::vector{AppendOutcome::duplicate, AppendOutcome::duplicate,
                                               AppendOutcome::stored, AppendOutcome::stored,
                                               AppendOutcome::duplicate});
  CHECK(count(*store) == 7);
  require_sound(*store);
}

TEST_CASE("entries that do not continue the chain are not stored", "[store]") {
  TempDir dir("store");
  auto store = open_store(dir.path());
  Identity alice = Identity::generate();
  auto chain = make_chain(alice, 4);

  SECTION("a gap: predecessors missing") {
    auto results = store->append(std::span(chain).subspan(1));
    REQUIRE(results);
    for (const auto& r : *results) {
      CHECK(r.outcome == AppendOutcome::gap);
      CHECK_THAT(r.reason, Catch::Contains("missing predecessor"));
    }
    CHECK(count(*store) == 0);
    auto head = store->head(alice.public_key());
    REQUIRE(head);
    CHECK_FALSE(*head);
  }
  SECTION("prev names another entry") {
    REQUIRE(outcomes(*store, std::span(chain).first(1)) == all(AppendOutcome::stored, 1));
    Hash wrong;
    wrong.bytes[0] = 1;
    auto stray = make_entry(alice, 2, wrong, t0 + 5000, "stray");
    auto results = store->append(std::span(&stray, 1));
    REQUIRE(results);
    CHECK((*results)[0].outcome == AppendOutcome::prev_mismatch);
    CHECK_FALSE((*results)[0].reason.empty());
    CHECK(count(*store) == 1);
    auto by_id = store->entry_by_id(stray.id());
    REQUIRE(by_id);
    CHECK_FALSE(*by_id);
    // The real seq 2 still fits.
    CHECK(outcomes(*store, std::span(chain).subspan(1)) == all(AppendOutcome::stored, 3));
  }
  require_sound(*store);
}

TEST_CASE("a second entry at a stored seq is a fork: proof recorded, log frozen", "[store]") {
  TempDir dir("store");
  Identity mallory = Identity::generate();
  auto chain = make_chain(mallory, 3);
  auto twin = make_entry(mallory, 2, chain[0].id(), t0 + 99, "the other seq 2");
  auto after = make_chain(mallory, 1, 4, chain[2].id());
  {
    auto store = open_store(dir.path());
    REQUIRE(outcomes(*store, chain) == all(AppendOutcome::stored, 3));
    std::vector<SignedEntry> batch{twin, after[0], chain[1]};
    auto results = store->append(batch);
    REQUIRE(results);
    CHECK((*results)[0].outcome == AppendOutcome::fork);
    CHECK_THAT((*results)[0].reason, Catch::Contains("seq 2"));
    CHECK((*results)[1].outcome == AppendOutcome::frozen);
    CHECK((*results)[2].outcome == AppendOutcome::duplicate);  // held before the fork
    CHECK(count(*store) == 3);
  }
  auto store = open_store(dir.path());
  auto frozen = store->is_frozen(mallory.public_key());
  REQUIRE(frozen);
  CHECK(*frozen);
  auto proofs = store->fork_proofs();
  REQUIRE(proofs);
  REQUIRE(proofs->size() == 1);
  const ForkProof& proof = proofs->front();
  CHECK(proof.author() == mallory.public_key());
  CHECK(proof.seq() == 2);
  std::set<Hash> ids{proof.first().id(), proof.second().id()};
  CHECK(ids == std::set<Hash>{chain[1].id(), twin.id()});

  // Frozen for good: later entries, and the author's own publishing.
  CHECK(outcomes(*store, after) == all(AppendOutcome::frozen, 1));
  auto own = store->append_own(mallory, EntryKind::alert, alert_payload("more"), t0);
  REQUIRE_FALSE(own);
  CHECK(own.error().code == "frozen");
  auto again = store->add_fork_proof(proof);
  REQUIRE(again);
  CHECK_FALSE(*again);
  require_sound(*store);
}

TEST_CASE("append_own chains seq and prev from the stored head", "[store]") {
  TempDir dir("store");
  auto store = open_store(dir.path());
  Identity me = Identity::generate();
  Hash prev;
  for (std::uint64_t seq = 1; seq <= 4; ++seq) {
    auto e = store->append_own(me, EntryKind::alert, alert_payload("own " + std::to_string(seq)),
                               t0 + seq);
    REQUIRE(e);
    CHECK(e->seq() == seq);
    CHECK(e->prev() == prev);
    CHECK(e->author() == me.public_key());
    prev = e->id();
  }
  auto head = store->head(me.public_key());
  REQUIRE(head);
  CHECK(**head == LogHead{4, prev});

  SECTION("an entry over the size limit is refused and nothing is written") {
    StoreOptions small = store->options();
    small.limits.max_entry_bytes = entry_overhead + 10;
    store.reset();
    auto limited = Store::open(small);
    REQUIRE(limited);
    auto e = (*limited)->append_own(me, EntryKind::alert, alert_payload("too big"), t0);
    REQUIRE_FALSE(e);
    CHECK(e.error().code == "too_large");
    CHECK(count(**limited) == 4);
  }
}

TEST_CASE("append_own_each signs a group in order, each entry with its own outcome", "[store]") {
  TempDir dir("store");
  StoreOptions options;
  options.dir = dir.path();
  options.map_size = std::size_t{64} << 20;
  const Bytes small = alert_payload("fits");
  // Room for the small alerts, not for one with a body 2,000 bytes longer.
  options.limits.max_entry_bytes = entry_overhead + small.size() + 1000;
  auto opened = Store::open(options);
  REQUIRE(opened);
  Store& store = **opened;
  Identity me = Identity::generate();
  REQUIRE(store.append_own(me, EntryKind::alert, alert_payload("first"), t0));

  Alert big;
  big.original = {"en", "big", "A summary.", std::string(2000, 'x')};
  big.country = "TN";
  big.categories = {"press-freedom"};
  const std::vector<Bytes> payloads = {alert_payload("a"), encode_alert(big), alert_payload("c"),
                                       alert_payload("d")};
  const std::vector<std::uint64_t> times = {t0 + 1, t0 + 2, t0 + 3, t0 + 4};
  auto group = store.append_own_each(me, EntryKind::alert, payloads, times);
  REQUIRE(group);
  REQUIRE(group->size() == 4);
  REQUIRE((*group)[0]);
  REQUIRE_FALSE((*group)[1]);
  CHECK((*group)[1].error().code == "too_large");
  REQUIRE((*group)[2]);
  REQUIRE((*group)[3]);
  // The refused entry takes no seq: the others chain on, in the order they were given.
  CHECK((*group)[0]->seq() == 2);
  CHECK((*group)[2]->seq() == 3);
  CHECK((*group)[2]->prev() == (*group)[0]->id());
  CHECK((*group)[3]->seq() == 4);
  CHECK((*group)[3]->prev() == (*group)[2]->id());
  CHECK((*group)[3]->created_ms() == t0 + 4);
  CHECK(count(store) == 4);
  require_sound(store);

  SECTION("a publishing hold refuses the whole group and writes nothing") {
    REQUIRE(store.hold_publishing({"operator", t0, "a test"}));
    auto held = store.append_own_each(me, EntryKind::alert, payloads, times);
    REQUIRE_FALSE(held);
    CHECK(held.error().code == "publishing_held");
    CHECK(count(store) == 4);
  }
}

TEST_CASE("log_range and newest read in seq and time order", "[store]") {
  TempDir dir("store");
  auto store = open_store(dir.path());
  Identity alice = Identity::generate(), bob = Identity::generate();
  auto a = make_chain(alice, 6);
  // Bob's entries are created between Alice's: seq k at t0 + k*1000 + 500.
  std::vector<SignedEntry> b;
  Hash prev;
  for (std::uint64_t seq = 1; seq <= 3; ++seq) {
    b.push_back(make_entry(bob, seq, prev, t0 + seq * 1000 + 500, "bob " + std::to_string(seq)));
    prev = b.back().id();
  }
  REQUIRE(outcomes(*store, a) == all(AppendOutcome::stored, 6));
  REQUIRE(outcomes(*store, b) == all(AppendOutcome::stored, 3));

  auto range = store->log_range(alice.public_key(), 3, 2);
  REQUIRE(range);
  REQUIRE(range->size() == 2);
  CHECK((*range)[0].id() == a[2].id());
  CHECK((*range)[1].id() == a[3].id());
  auto tail = store->log_range(alice.public_key(), 5, 100);
  REQUIRE(tail);
  CHECK(tail->size() == 2);  // stops at the end of Alice's log, not in Bob's
  auto past = store->log_range(alice.public_key(), 7, 100);
  REQUIRE(past);
  CHECK(past->empty());
  auto nobody = store->log_range(Identity::generate().public_key(), 1, 100);
  REQUIRE(nobody);
  CHECK(nobody->empty());

  auto newest = store->newest(4);
  REQUIRE(newest);
  std::vector<Hash> got;
  for (const auto& e : *newest) got.push_back(e.id());
  CHECK(got == std::vector{a[5].id(), a[4].id(), a[3].id(), b[2].id()});

  const PublicKey only_bob[] = {bob.public_key()};
  auto bobs = store->newest(10, only_bob);
  REQUIRE(bobs);
  REQUIRE(bobs->size() == 3);
  CHECK((*bobs)[0].id() == b[2].id());
  CHECK((*bobs)[2].id() == b[0].id());

  auto at = store->entry_at(bob.public_key(), 2);
  REQUIRE(at);
  REQUIRE(*at);
  CHECK((*at)->id() == b[1].id());
  auto missing = store->entry_at(bob.public_key(), 4);
  REQUIRE(missing);
  CHECK_FALSE(*missing);
}

TEST_CASE("roster add, update, list and remove", "[store]") {
  TempDir dir("store");
  auto store = open_store(dir.path());
  PublicKey k1 = Identity::generate().public_key(), k2 = Identity::generate().public_key();

  auto added = store->roster_add({k1, "First NGO", 111});
  REQUIRE(added);
  CHECK(*added);
  REQUIRE(*store->roster_add({k2, "", 222}));
  auto renamed = store->roster_add({k1, "First NGO (renamed)", 333});
  REQUIRE(renamed);
  CHECK_FALSE(*renamed);

  auto list = store->roster();
  REQUIRE(list);
  REQUIRE(list->size() == 2);
  for (const auto& m : *list) {
    if (m.key == k1) {
      CHECK(m.name == "First NGO (renamed)");
      CHECK(m.added_ms == 333);
    } else {
      CHECK(m.key == k2);
      CHECK(m.name.empty());
    }
  }
  CHECK(*store->roster_contains(k1));
  auto removed = store->roster_remove(k1);
  REQUIRE(removed);
  CHECK(*removed);
  auto again = store->roster_remove(k1);
  REQUIRE(again);
  CHECK_FALSE(*again);
  CHECK_FALSE(*store->roster_contains(k1));
  store.reset();
  store = open_store(dir.path());
  auto after = store->roster();
  REQUIRE(after);
  REQUIRE(after->size() == 1);
  CHECK(after->front().key == k2);
}

TEST_CASE("node metadata and the schema check", "[store]") {
  TempDir dir("store");
  {
    auto store = open_store(dir.path());
    auto schema = store->meta("schema");
    REQUIRE(schema);
    CHECK(*schema == std::optional<std::string>("1"));
    auto missing = store->meta("nothing");
    REQUIRE(missing);
    CHECK_FALSE(*missing);
    REQUIRE(store->set_meta("own_key", "ifexpk1xyz"));
    REQUIRE(store->set_meta("own_key", "ifexpk1abc"));
  }
  {
    auto store = open_store(dir.path());
    CHECK(*store->meta("own_key") == std::optional<std::string>("ifexpk1abc"));
    REQUIRE(store->set_meta("schema", "99"));
  }
  StoreOptions options;
  options.dir = dir.path();
  options.map_size = std::size_t{64} << 20;
  auto refused = Store::open(options);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "store_version");
  CHECK_THAT(refused.error().message, Catch::Contains("schema 99"));
}

TEST_CASE("verify catches damage written behind the store's back", "[store][verify]") {
  TempDir dir("store");
  Identity alice = Identity::generate(), bob = Identity::generate();
  {
    auto store = open_store(dir.path());
    REQUIRE(outcomes(*store, make_chain(alice, 5)) == all(AppendOutcome::stored, 5));
    REQUIRE(outcomes(*store, make_chain(bob, 3)) == all(AppendOutcome::stored, 3));
    auto report = store->verify();
    REQUIRE(report);
    CHECK(report->faults.empty());
    CHECK(report->entries_checked == 8);
    CHECK(report->authors_checked == 2);
  }

  auto faults_after = [&] {
    auto store = open_store(dir.path());
    auto report = store->verify();
    REQUIRE(report);
    for (const auto& f : report->faults) UNSCOPED_INFO("fault: " << f);
    return report->faults;
  };

  SECTION("one flipped byte in a stored entry") {
    // Every offset lands in a signed field or the signature; try the first, middle and last.
    for (std::size_t offset : {std::size_t{0}, std::size_t{40}, SIZE_MAX, std::size_t{100000}}) {
      TempDir copy("store-copy");
      std::filesystem::copy(dir.path(), copy.path(), std::filesystem::copy_options::recursive);
      test::flip_stored_byte(copy.path(), "entries", 2, offset);
      auto store = open_store(copy.path());
      auto report = store->verify();
      REQUIRE(report);
      CHECK_FALSE(report->faults.empty());
    }
    test::flip_stored_byte(dir.path(), "entries", 6);
    auto faults = faults_after();
    REQUIRE(faults.size() >= 1);
    CHECK_THAT(faults.front(), Catch::Contains("seq"));
  }
  SECTION("a deleted id index record") {
    test::delete_stored_record(dir.path(), "by_id", 4);
    auto faults = faults_after();
    CHECK_FALSE(faults.empty());
  }
  SECTION("a deleted time index record") {
    test::delete_stored_record(dir.path(), "by_time", 0);
    CHECK_FALSE(faults_after().empty());
  }
  SECTION("a stray time index record") {
    test::duplicate_stored_record(dir.path(), "by_time", 3);
    auto faults = faults_after();
    REQUIRE(faults.size() == 1);
    CHECK_THAT(faults.front(), Catch::Contains("time index holds 9 records for 8 entries"));
  }
  SECTION("a stray id index record") {
    test::duplicate_stored_record(dir.path(), "by_id", 0);
    CHECK_FALSE(faults_after().empty());
  }
  SECTION("a deleted entry in the middle of a log") {
    test::delete_stored_record(dir.path(), "entries", 1);
    auto faults = faults_after();
    CHECK_FALSE(faults.empty());
  }
  SECTION("a head that does not match the log") {
    test::delete_stored_record(dir.path(), "heads", 0);
    CHECK_FALSE(faults_after().empty());
  }
}

TEST_CASE("a full map is reported clearly and leaves the store readable", "[store][full]") {
  TempDir dir("store");
  // LMDB needs a handful of pages for its meta pages and the seven databases; 256 KiB is enough
  // to open and to hold a few hundred small entries.
  const std::size_t tiny = std::size_t{256} << 10;
  Identity alice = Identity::generate();
  auto store = open_store(dir.path(), tiny);
  std::vector<SignedEntry> failed;
  std::uint64_t stored = 0;
  Hash prev;
  for (int round = 0; round < 1000 && failed.empty(); ++round) {
    auto batch = make_chain(alice, 16, stored + 1, prev);
    auto results = store->append(batch);
    if (!results) {
      CHECK(results.error().code == "store_full");
      CHECK_THAT(results.error().message, Catch::Contains("map_size_mib"));
      CHECK_THAT(results.error().message, Catch::Contains("Nothing of this write was stored"));
      failed = batch;
      break;
    }
    for (const auto& r : *results) REQUIRE(r.outcome == AppendOutcome::stored);
    stored += batch.size();
    prev = batch.back().id();
  }
  REQUIRE_FALSE(failed.empty());
  REQUIRE(stored > 0);

  // Still readable, and the failed batch left no trace.
  CHECK(count(*store) == stored);
  auto head = store->head(alice.public_key());
  REQUIRE(head);
  CHECK(**head == LogHead{stored, prev});
  auto newest = store->newest(3);
  REQUIRE(newest);
  CHECK(newest->size() == 3);
  auto first_failed = store->entry_by_id(failed.front().id());
  REQUIRE(first_failed);
  CHECK_FALSE(*first_failed);
  require_sound(*store);
  // Another author's single entry may still fit; if not, it fails the same way.
  Identity bob = Identity::generate();
  auto own = store->append_own(bob, EntryKind::alert, alert_payload("own"), t0);
  if (own)
    ++stored;
  else
    CHECK(own.error().code == "store_full");

  // A bigger map: writes resume where they stopped.
  store.reset();
  store = open_store(dir.path(), std::size_t{4} << 20);
  REQUIRE(count(*store) == stored);
  CHECK(outcomes(*store, failed) == all(AppendOutcome::stored, failed.size()));
  CHECK(count(*store) == stored + failed.size());
  require_sound(*store);
}

// What `ifexnode doctor` (and status) rely on: a read-only open reads everything, waits
// on no writer, writes nothing (not even the note of a copied store file) and refuses writes.
struct FileState {
  std::string bytes;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileState&) const = default;
};

FileState file_state(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  FileState s{std::string(std::istreambuf_iterator<char>(in), {}), 0};
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  s.mtime_ns = std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
  return s;
}

std::unique_ptr<Store> open_read_only(const std::filesystem::path& dir) {
  StoreOptions options;
  options.dir = dir;
  options.map_size = std::size_t{64} << 20;
  options.read_only = true;
  auto store = Store::open(options);
  INFO((store ? "" : store.error().message));
  REQUIRE(store);
  return std::move(*store);
}

TEST_CASE("a read-only store reads, changes nothing and refuses every write",
          "[store][read_only]") {
  TempDir dir("store");
  Identity alice = Identity::generate();
  auto chain = make_chain(alice, 5);
  const PeerRecord peer{Identity::generate().public_key(), {"ws://127.0.0.1:7000/gossip"}, t0};
  {
    auto store = open_store(dir.path());
    REQUIRE(outcomes(*store, chain) == all(AppendOutcome::stored, 5));
    REQUIRE(store->peer_add(peer));
  }
  // A restored store: data.mdb is a new file (inode). A read-write open would note it and hold
  // publishing; a read-only one must leave that to the node.
  const auto data = dir.path() / "data.mdb";
  std::filesystem::copy_file(data, dir.path() / "copy.mdb");
  std::filesystem::rename(dir.path() / "copy.mdb", data);
  const FileState before = file_state(data);
  {
    auto store = open_read_only(dir.path());
    CHECK(count(*store) == 5);
    auto head = store->head(alice.public_key());
    REQUIRE(head);
    REQUIRE(*head);
    CHECK((*head)->seq == 5);
    auto peers = store->peers();
    REQUIRE(peers);
    CHECK(peers->size() == 1);
    auto hold = store->publishing_hold();
    REQUIRE(hold);
    CHECK_FALSE(*hold);
    auto changed = store->store_file_changed();
    REQUIRE(changed);
    CHECK(*changed);
    require_sound(*store);

    auto refused = [](const auto& result) {
      REQUIRE_FALSE(result);
      CHECK(result.error().code == "store_read_only");
    };
    refused(store->append(make_chain(Identity::generate(), 1)));
    refused(store->append_own(alice, EntryKind::alert, alert_payload("no"), t0));
    refused(store->set_meta("own_key", "x"));
    refused(store->peer_remove(peer.key));
    refused(store->roster_add({alice.public_key(), "alice", t0}));
    refused(store->hold_publishing({"operator", t0, "no"}));
    refused(store->release_publishing());
    CHECK(count(*store) == 5);
  }
  CHECK(file_state(data) == before);
  // The first read-write open notes the copy, as before.
  auto store = open_store(dir.path());
  auto hold = store->publishing_hold();
  REQUIRE(hold);
  REQUIRE(*hold);
  CHECK((*hold)->reason == "store_copied");
}

TEST_CASE("a read-only open creates nothing", "[store][read_only]") {
  TempDir dir("store");
  StoreOptions options;
  options.dir = dir.path() / "none";
  options.read_only = true;
  options.create_if_missing = true;  // read_only wins
  auto store = Store::open(options);
  REQUIRE_FALSE(store);
  CHECK(store.error().code == "no_store");
  CHECK_FALSE(std::filesystem::exists(options.dir));
}

}  // namespace
}  // namespace ifex

namespace ifex {
namespace {

// `rm -r DATA; cp -a BACKUP DATA` may get the freed inode number back: the birth time is what
// then tells the copy (tests/forks/restore_publish_test.py met it on ext4).
TEST_CASE("a copy is told by its birth time even on the original's inode", "[store]") {
  TempDir dir("store");
  const auto noted = [&] { return *open_store(dir.path())->meta("store_file_id"); };
  std::string id = noted().value_or("");
  REQUIRE(!id.empty());
  const std::string inode = id.substr(0, id.find(':'));
  {
    // A record from before birth times were noted: the same file, no hold, the record updated.
    auto store = open_store(dir.path());
    REQUIRE(store->set_meta("store_file_id", inode));
  }
  {
    auto store = open_store(dir.path());
    auto hold = store->publishing_hold();
    REQUIRE(hold);
    CHECK_FALSE(*hold);
    CHECK(store->meta("store_file_id")->value_or("") == id);
  }
  if (id.find(':') == std::string::npos) return;  // this file system keeps no birth times
  {
    // The same inode, another birth time: what a copy that reused the inode looks like.
    auto store = open_store(dir.path());
    REQUIRE(store->set_meta("store_file_id", inode + ":1.0"));
  }
  auto store = open_store(dir.path());
  auto hold = store->publishing_hold();
  REQUIRE(hold);
  REQUIRE(*hold);
  CHECK((*hold)->reason == "store_copied");
}

}  // namespace
}  // namespace ifex
