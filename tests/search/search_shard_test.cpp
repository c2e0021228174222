// Sharded indexes on real temporary Xapian databases: which part holds which alert, the refusal
// of an index built for another part, equal scores ordered by date and id rather than by
// Xapian's document numbers, and the upgrade of an index written before the sort slot. The
// search over xapian-tcpsrv itself is tests/search/remote_shards_test.py.
#include <xapian.h>

#include <catch2/catch.hpp>
#include <set>

#include "node/search/search_errors.hpp"
#include "node/search/search_index.hpp"
#include "node/home/search_settings.hpp"
#include "tests/support/temp_dir.hpp"

namespace ifex {
namespace {

using test::TempDir;

PublicKey author() {
  Bytes raw(PublicKey::size, 7);
  return *PublicKey::from(raw);
}

IndexedAlert alert_named(const std::string& name, const std::string& date,
                         const std::string& title = "journalist detained") {
  IndexedAlert a;
  a.id = blake2b_256({as_bytes(name)});
  a.author = author();
  a.created_ms = 1'750'000'000'000;
  a.alert.original = {"en", title, "", ""};
  a.alert.country = "TN";
  a.alert.categories = {"press-freedom"};
  a.alert.event_date = date;
  return a;
}

std::unique_ptr<SearchIndex> writable(const std::filesystem::path& dir, SearchShard shard = {}) {
  auto opened = SearchIndex::open_writable(dir, shard);
  INFO((opened ? "" : opened.error().message));
  REQUIRE(opened);
  return std::move(*opened);
}

std::vector<Hash> ids_of(const SearchIndex& index, SearchSort sort) {
  SearchRequest request;
  request.query = "journalist";
  request.limit = 100;
  request.sort = sort;
  auto results = index.search(request, {});
  INFO((results ? "" : results.error().message));
  REQUIRE(results);
  std::vector<Hash> out;
  for (const auto& hit : results->hits) out.push_back(hit.id);
  return out;
}

TEST_CASE("the parts of a sharded index hold every alert exactly once") {
  for (std::uint32_t count : {2u, 3u, 7u}) {
    std::vector<int> held(count, 0);
    for (int i = 0; i < 300; ++i) {
      Hash id = blake2b_256({as_bytes("alert " + std::to_string(i))});
      int holders = 0;
      for (std::uint32_t n = 1; n <= count; ++n) {
        if (SearchShard{n, count}.holds(id)) {
          ++holders;
          ++held[n - 1];
        }
      }
      REQUIRE(holders == 1);
      REQUIRE(SearchShard{}.holds(id));
    }
    for (int h : held) CHECK(h > 300 / static_cast<int>(count) / 2);  // no part is empty
  }
  CHECK(SearchShard{2, 5}.spec() == "2/5");
  CHECK(SearchShard{}.spec().empty());
}

TEST_CASE("shard specs and addresses are read strictly") {
  CHECK(parse_shard_spec("").ok());
  CHECK(parse_shard_spec("1/2")->count == 2);
  for (const char* bad : {"0/2", "3/2", "1/0", "2", "a/b", "1/2/3", "-1/2", "1/2000", " 1/2"})
    CHECK_FALSE(parse_shard_spec(bad).ok());
  auto v4 = parse_shard_address("tcp://127.0.0.1:33333");
  REQUIRE(v4);
  CHECK((v4->host == "127.0.0.1" && v4->port == 33333));
  auto v6 = parse_shard_address("tcp://[::1]:7000");
  REQUIRE(v6);
  CHECK((v6->host == "::1" && v6->port == 7000));
  CHECK(parse_shard_address("tcp://shard-1.example:9000")->host == "shard-1.example");
  for (const char* bad : {"127.0.0.1:1", "tcp://127.0.0.1", "tcp://:80", "tcp://h:0",
                          "tcp://h:70000", "tcp://::1:80", "tcp://h/x:80", "http://h:80"})
    CHECK_FALSE(parse_shard_address(bad).ok());
}

TEST_CASE("an index keeps only its part, and refuses to be opened as another") {
  TempDir dir("shard");
  auto index = writable(dir / "index", SearchShard{1, 2});
  std::set<Hash> expected;
  for (int i = 0; i < 40; ++i) {
    auto a = alert_named("a" + std::to_string(i), "2020-01-01");
    REQUIRE(index->add(a));
    if (SearchShard{1, 2}.holds(a.id)) expected.insert(a.id);
  }
  REQUIRE(index->commit());
  CHECK(*index->document_count() == expected.size());
  auto found = ids_of(*index, SearchSort::relevance);
  CHECK(std::set<Hash>(found.begin(), found.end()) == expected);
  index.reset();

  for (SearchShard other : {SearchShard{2, 2}, SearchShard{}}) {
    auto refused = SearchIndex::open_writable(dir / "index", other);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == search_errors::shard_mismatch);
    CHECK(refused.error().message.find("holds shard 1/2") != std::string::npos);
  }
  CHECK(SearchIndex::open_writable(dir / "index", SearchShard{1, 2}));
}

TEST_CASE("equal scores and equal dates are ordered by date and id, whatever the insertion") {
  // The same alerts added in two orders give different document numbers: the results must not
  // depend on them (shards number their documents differently from one index).
  TempDir dir("order");
  std::vector<IndexedAlert> alerts;
  for (int i = 0; i < 30; ++i)
    alerts.push_back(alert_named("t" + std::to_string(i), i % 3 == 0 ? "2021-05-05" : "2019-02-02"));
  auto forward = writable(dir / "forward");
  auto backward = writable(dir / "backward");
  for (const auto& a : alerts) REQUIRE(forward->add(a));
  for (auto it = alerts.rbegin(); it != alerts.rend(); ++it) REQUIRE(backward->add(*it));
  REQUIRE(forward->commit());
  REQUIRE(backward->commit());
  for (SearchSort sort : {SearchSort::relevance, SearchSort::newest, SearchSort::oldest}) {
    auto a = ids_of(*forward, sort), b = ids_of(*backward, sort);
    REQUIRE(a.size() == alerts.size());
    CHECK(a == b);
  }
  // Relevance ties come newest first.
  auto ranked = ids_of(*forward, SearchSort::relevance);
  std::set<Hash> newer;
  for (int i = 0; i < 30; i += 3) newer.insert(alerts[i].id);
  CHECK(std::set<Hash>(ranked.begin(), ranked.begin() + 10) == newer);
}

TEST_CASE("an index written before the sort slot gets it when opened for writing") {
  TempDir dir("upgrade");
  std::vector<IndexedAlert> alerts;
  for (int i = 0; i < 25; ++i)
    alerts.push_back(alert_named("u" + std::to_string(i), i % 2 ? "2010-03-03" : "2011-04-04"));
  {
    auto index = writable(dir / "index");
    for (const auto& a : alerts) REQUIRE(index->add(a));
    REQUIRE(index->commit());
  }
  auto reference = ids_of(**SearchIndex::open_readonly(dir / "index"), SearchSort::newest);
  {
    // What an older version wrote: no sort slot, no layout key.
    Xapian::WritableDatabase db((dir / "index").string(), Xapian::DB_OPEN);
    for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
      Xapian::Document doc = db.get_document(*it);
      doc.remove_value(2);
      db.replace_document(*it, doc);
    }
    db.set_metadata("ifex.layout", "");
    db.commit();
  }
  writable(dir / "index").reset();
  Xapian::Database db((dir / "index").string());
  CHECK(db.get_metadata("ifex.layout") == "2");
  for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it)
    CHECK(db.get_document(*it).get_value(2).size() == 8 + 32);
  CHECK(ids_of(**SearchIndex::open_readonly(dir / "index"), SearchSort::newest) == reference);
}

TEST_CASE("no remote shard, or one that does not answer, is shard_unavailable") {
  auto none = SearchIndex::open_remote({}, std::chrono::milliseconds(500));
  REQUIRE_FALSE(none);
  CHECK(search_errors::is_shard_unavailable(none.error()));
  // Port 1 on loopback: nothing listens there for an unprivileged test.
  auto closed = SearchIndex::open_remote({RemoteShard{"127.0.0.1", 1}},
                                         std::chrono::milliseconds(500));
  REQUIRE_FALSE(closed);
  CHECK(search_errors::is_shard_unavailable(closed.error()));
  CHECK(closed.error().message.find("127.0.0.1:1") != std::string::npos);
}

}  // namespace
}  // namespace ifex
