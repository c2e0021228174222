// The alert catalog on a real temporary LMDB: every filter combination, walked page by page with
// cursors, must return exactly what a brute-force filter of all alerts returns, in order, with
// no duplicates, whatever the page size, and whatever the scan bound cuts pages short.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>

#include "node/archive/alert_catalog.hpp"
#include "node/http/query_string.hpp"
#include "node/store/lmdb.hpp"
#include "tests/support/temp_dir.hpp"

using namespace ifex;

namespace {

struct Fixture {
  std::vector<Alert> alerts;
  std::vector<CatalogAlert> rows;
  std::vector<PublicKey> authors;
};

PublicKey key_of(std::uint8_t n) {
  Bytes raw(32, n);
  return *PublicKey::from(raw);
}

Hash hash_of(std::uint32_t n) {
  Bytes raw(32, 0);
  for (int i = 0; i < 4; ++i) raw[i] = static_cast<std::uint8_t>(n >> (8 * (3 - i)));
  raw[31] = 0x5a;
  return *Hash::from(raw);
}

// Random alerts over a few countries, categories, languages and authors; some share a date
// and a signing time, so ties are broken by id.
Fixture random_alerts(std::size_t count, std::uint32_t seed) {
  std::mt19937 rng(seed);
  const std::vector<std::string> countries{"TN", "EG", "MX", "FR"};
  const std::vector<std::string> categories{"detention", "press-freedom", "impunity", "surveillance"};
  const std::vector<std::string> langs{"en", "fr", "es", "ar"};
  Fixture f;
  for (std::uint8_t a = 1; a <= 3; ++a) f.authors.push_back(key_of(a));
  f.alerts.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    Alert a;
    a.original.lang = langs[rng() % 4];
    if (rng() % 3 == 0) {
      std::string other = langs[(std::find(langs.begin(), langs.end(), a.original.lang) -
                                 langs.begin() + 1 + rng() % 3) % 4];
      a.translations.push_back({other, "t", "s", "b"});
    }
    a.country = countries[rng() % 4];
    a.categories = {categories[rng() % 4]};
    if (rng() % 2) a.categories.push_back(categories[rng() % 4]);
    std::sort(a.categories.begin(), a.categories.end());
    a.categories.erase(std::unique(a.categories.begin(), a.categories.end()), a.categories.end());
    if (rng() % 5 != 0)  // some have no event date: their signing day is their date
      a.event_date = "20" + std::to_string(10 + rng() % 10) + "-0" + std::to_string(1 + rng() % 9) + "-1" +
                     std::to_string(rng() % 10);
    f.alerts.push_back(std::move(a));
  }
  for (std::size_t i = 0; i < count; ++i)
    f.rows.push_back({hash_of(static_cast<std::uint32_t>(i)), f.authors[rng() % 3], i + 1,
                      1'600'000'000'000 + (rng() % 50) * 86'400'000ull, &f.alerts[i]});
  return f;
}

std::string date_of(const CatalogAlert& r) { return alert_date(r.alert->event_date, r.created_ms); }

bool keep(const CatalogAlert& r, const AlertFilters& f) {
  const Alert& a = *r.alert;
  auto has_lang = a.original.lang == f.lang ||
                  std::any_of(a.translations.begin(), a.translations.end(),
                              [&](const AlertText& t) { return t.lang == f.lang; });
  std::string d = date_of(r);
  return (f.lang.empty() || has_lang) && (f.country.empty() || a.country == f.country) &&
         (f.category.empty() || std::count(a.categories.begin(), a.categories.end(), f.category)) &&
         (!f.author || *f.author == r.author) && (f.from_date.empty() || d >= f.from_date) &&
         (f.to_date.empty() || d <= f.to_date);
}

std::vector<Hash> expected(const Fixture& f, const AlertFilters& filters) {
  std::vector<const CatalogAlert*> kept;
  for (const auto& r : f.rows)
    if (keep(r, filters)) kept.push_back(&r);
  std::sort(kept.begin(), kept.end(), [](const CatalogAlert* a, const CatalogAlert* b) {
    auto ka = std::make_tuple(date_of(*a), a->created_ms, a->id);
    auto kb = std::make_tuple(date_of(*b), b->created_ms, b->id);
    return ka > kb;
  });
  std::vector<Hash> ids;
  for (auto* r : kept) ids.push_back(r->id);
  return ids;
}

std::vector<Hash> walk(const AlertCatalog& catalog, const AlertFilters& filters, std::size_t limit,
                       std::size_t max_scanned, std::size_t* pages = nullptr) {
  std::vector<Hash> ids;
  std::string cursor;
  for (std::size_t n = 0; n < 100'000; ++n) {
    auto page = catalog.list(filters, limit, cursor, max_scanned);
    REQUIRE(page);
    REQUIRE(page->rows.size() <= limit);
    for (const auto& row : page->rows) ids.push_back(row.id);
    if (pages) ++*pages;
    if (page->next_cursor.empty()) break;
    cursor = page->next_cursor;
  }
  return ids;
}

AlertFilters filters_of(std::initializer_list<std::pair<const char*, std::string>> list) {
  AlertFilters f;
  for (const auto& [name, value] : list) REQUIRE(set_filter(f, name, value));
  return f;
}

}  // namespace

TEST_CASE("every filter combination pages to exactly the brute-force answer") {
  test::TempDir dir("catalog");
  auto catalog = AlertCatalog::open(dir / "catalog", std::size_t{1} << 30);
  REQUIRE(catalog);
  Fixture f = random_alerts(600, 7);
  // Added in several batches, out of order, one batch twice: adding is idempotent.
  std::vector<CatalogAlert> shuffled = f.rows;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(3));
  for (std::size_t i = 0; i < shuffled.size(); i += 150) {
    std::vector<CatalogAlert> batch(shuffled.begin() + i,
                                    shuffled.begin() + std::min(shuffled.size(), i + 150));
    REQUIRE((*catalog)->add(batch, {}));
  }
  REQUIRE((*catalog)->add({shuffled.begin(), shuffled.begin() + 50}, {}));
  REQUIRE(*(*catalog)->count() == 600);

  std::vector<AlertFilters> cases{
      {},
      filters_of({{"lang", "ar"}}),
      filters_of({{"country", "eg"}}),
      filters_of({{"category", "impunity"}}),
      filters_of({{"country", "TN"}, {"category", "detention"}}),
      filters_of({{"country", "MX"}, {"lang", "fr"}, {"category", "surveillance"}}),
      filters_of({{"from", "2014-01-01"}, {"to", "2016-12-31"}}),
      filters_of({{"lang", "en"}, {"from", "2017-05-10"}}),
      filters_of({{"to", "2012-01-01"}}),
  };
  AlertFilters by_author;
  by_author.author = f.authors[1];
  cases.push_back(by_author);
  AlertFilters author_and_country = filters_of({{"country", "FR"}});
  author_and_country.author = f.authors[2];
  cases.push_back(author_and_country);

  for (std::size_t c = 0; c < cases.size(); ++c) {
    auto want = expected(f, cases[c]);
    for (std::size_t limit : {1u, 7u, 100u, 1000u}) {
      INFO("case " << c << ", limit " << limit);
      CHECK(walk(**catalog, cases[c], limit, 50'000) == want);
    }
    // A tiny scan bound makes short (even empty) pages, never a wrong or missing answer.
    std::size_t pages = 0;
    CHECK(walk(**catalog, cases[c], 20, 5, &pages) == want);
    CHECK(pages >= want.size() / 20);
  }
}

TEST_CASE("a cursor is a position: alerts added later show up on the first page only") {
  test::TempDir dir("catalog-live");
  auto catalog = AlertCatalog::open(dir / "catalog", std::size_t{1} << 30);
  REQUIRE(catalog);
  Fixture f = random_alerts(100, 11);
  REQUIRE((*catalog)->add({f.rows.begin(), f.rows.begin() + 60}, {}));
  auto first = (*catalog)->list({}, 30, "");
  REQUIRE(first);
  REQUIRE_FALSE(first->next_cursor.empty());
  REQUIRE((*catalog)->add({f.rows.begin() + 60, f.rows.end()}, {}));
  // The rest of the walk holds no alert twice, and with the first page covers the first 60 and
  // whichever new ones sort after the cursor.
  std::vector<Hash> ids;
  for (const auto& r : first->rows) ids.push_back(r.id);
  std::string cursor = first->next_cursor;
  while (!cursor.empty()) {
    auto page = (*catalog)->list({}, 30, cursor);
    REQUIRE(page);
    for (const auto& r : page->rows) ids.push_back(r.id);
    cursor = page->next_cursor;
  }
  std::vector<Hash> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
  for (std::size_t i = 0; i < 60; ++i)
    CHECK(std::find(ids.begin(), ids.end(), f.rows[i].id) != ids.end());
}

TEST_CASE("the clock only moves forward; bad cursors are refused") {
  test::TempDir dir("catalog-clock");
  auto catalog = AlertCatalog::open(dir / "catalog", std::size_t{1} << 30);
  REQUIRE(catalog);
  REQUIRE((*catalog)->add({}, {{key_of(1), 10}, {key_of(2), 3}}));
  REQUIRE((*catalog)->add({}, {{key_of(1), 4}}));
  auto clock = (*catalog)->clock();
  REQUIRE(clock);
  CHECK(clock->at(key_of(1)) == 10);
  CHECK(clock->at(key_of(2)) == 3);
  for (const std::string& bad :
       std::vector<std::string>{"zz", "00", std::string(88, 'g'), std::string(90, '0')}) {
    auto page = (*catalog)->list({}, 10, bad);
    REQUIRE_FALSE(page);
    CHECK(page.error().code == "bad_cursor");
  }
  auto v1 = (*catalog)->version();
  REQUIRE((*catalog)->add({}, {{key_of(3), 1}}));
  CHECK(*(*catalog)->version() != *v1);
}

namespace {

// What list_recent must return: newest signed first (created_ms, then id), archive records
// (those with a legacy_id) only when asked for; the date range is on the event date.
std::vector<Hash> expected_recent(const Fixture& f, const AlertFilters& filters,
                                  bool include_archive, std::size_t limit) {
  std::vector<const CatalogAlert*> kept;
  for (const auto& r : f.rows)
    if (keep(r, filters) && (include_archive || r.alert->legacy_id.empty())) kept.push_back(&r);
  std::sort(kept.begin(), kept.end(), [](const CatalogAlert* a, const CatalogAlert* b) {
    return std::make_tuple(a->created_ms, a->id) > std::make_tuple(b->created_ms, b->id);
  });
  std::vector<Hash> ids;
  for (auto* r : kept)
    if (ids.size() < limit) ids.push_back(r->id);
  return ids;
}

}  // namespace

TEST_CASE("recent listings follow the signing time and leave archive records out") {
  test::TempDir dir("catalog-recent");
  auto catalog = AlertCatalog::open(dir / "catalog", std::size_t{1} << 30);
  REQUIRE(catalog);
  CHECK_FALSE((*catalog)->rebuilt());
  Fixture f = random_alerts(400, 5);
  // A third are archive records, whose event dates are years before their signing.
  for (std::size_t i = 0; i < f.alerts.size(); i += 3)
    f.alerts[i].legacy_id = "old-" + std::to_string(i);
  REQUIRE((*catalog)->add(f.rows, {}));

  std::vector<AlertFilters> cases{
      {},
      filters_of({{"lang", "fr"}}),
      filters_of({{"country", "TN"}, {"category", "detention"}}),
      filters_of({{"from", "2014-01-01"}, {"to", "2016-12-31"}}),
  };
  AlertFilters by_author;
  by_author.author = f.authors[0];
  cases.push_back(by_author);
  for (std::size_t c = 0; c < cases.size(); ++c) {
    for (bool archive : {false, true}) {
      for (std::size_t limit : {1u, 50u, 1000u}) {
        INFO("case " << c << ", archive " << archive << ", limit " << limit);
        auto got = (*catalog)->list_recent(cases[c], limit, archive);
        REQUIRE(got);
        CHECK(*got == expected_recent(f, cases[c], archive, limit));
      }
    }
  }
  // The scan bound makes a short answer, never a wrong one.
  auto bounded =
      (*catalog)->list_recent(filters_of({{"country", "TN"}, {"lang", "ar"}}), 100, true, 10);
  REQUIRE(bounded);
  CHECK(bounded->size() <= 10);
}

TEST_CASE("a catalog of the older layout is emptied at open, for the indexer to rebuild") {
  test::TempDir dir("catalog-upgrade");
  Fixture f = random_alerts(50, 9);
  {
    auto catalog = AlertCatalog::open(dir / "catalog", std::size_t{1} << 30);
    REQUIRE(catalog);
    REQUIRE((*catalog)->add(f.rows, {{key_of(1), 20}}));
  }
  {
    // What a catalog written before the `recent` rows looks like: no layout in `meta`.
    lmdb::Env env;
    env.open(dir / "catalog", std::size_t{1} << 30, 8);
    lmdb::Txn txn(env, lmdb::Txn::read_write);
    MDB_dbi meta = lmdb::open_dbi(txn.get(), "meta");
    REQUIRE(txn.del(meta, as_bytes(std::string_view("layout"))));
    txn.commit();
  }
  auto catalog = AlertCatalog::open(dir / "catalog", std::size_t{1} << 30);
  REQUIRE(catalog);
  CHECK((*catalog)->rebuilt());
  CHECK(*(*catalog)->count() == 0);
  CHECK((*catalog)->clock()->empty());  // so the indexer re-reads every log from seq 1
  REQUIRE((*catalog)->add(f.rows, {{key_of(1), 20}}));
  CHECK(*(*catalog)->list_recent({}, 1000, true) == expected_recent(f, {}, true, 1000));
  auto again = AlertCatalog::open(dir / "catalog2", std::size_t{1} << 30);
  REQUIRE(again);
  CHECK_FALSE((*again)->rebuilt());  // a new, empty catalog is not a rebuild
}

TEST_CASE("request targets: decoding, duplicates and invalid text") {
  auto t = parse_target("/api/search?q=caf%C3%A9+libre&lang=fr&empty=&flag");
  REQUIRE(t);
  CHECK(t->path == "/api/search");
  CHECK(t->params.at("q") == "café libre");
  CHECK(t->params.at("lang") == "fr");
  CHECK(t->params.at("empty").empty());
  CHECK(t->params.at("flag").empty());
  auto ar = parse_target("/api/search?q=%D8%B5%D8%AD%D9%81%D9%8A");
  REQUIRE(ar);
  CHECK(ar->params.at("q") == "صحفي");
  for (const char* bad : {"/a?q=%", "/a?q=%4", "/a?q=%zz", "/a?q=%ff", "/a?q=%C0%AF",
                          "/a?q=%ED%A0%80", "/a?x=1&x=2", "/%80"}) {
    INFO(bad);
    auto r = parse_target(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "bad_request");
  }
  std::string many = "/a?";
  for (int i = 0; i < 40; ++i) many += "p" + std::to_string(i) + "=1&";
  CHECK_FALSE(parse_target(many, 32));
}

namespace {

// The facet counts of the alerts `filters` keeps, counted one by one.
FacetCounts brute_counts(const std::vector<CatalogAlert>& rows, const AlertFilters& filters) {
  FacetCounts out;
  for (const auto& r : rows) {
    if (!keep(r, filters)) continue;
    ++out.total;
    ++out.country[r.alert->country];
    for (const auto& c : r.alert->categories) ++out.category[c];
    ++out.lang[r.alert->original.lang];
    for (const auto& t : r.alert->translations) ++out.lang[t.lang];
    ++out.author[r.author.hex()];
    ++out.year[date_of(r).substr(0, 4)];
  }
  return out;
}

void check_same(const FacetCounts& got, const FacetCounts& want) {
  CHECK(got.exact);
  CHECK(got.total == want.total);
  CHECK(got.country == want.country);
  CHECK(got.category == want.category);
  CHECK(got.lang == want.lang);
  CHECK(got.author == want.author);
  CHECK(got.year == want.year);
}

}  // namespace

TEST_CASE("facet counts equal a brute-force count, before and after removals") {
  test::TempDir dir("catalog-facets");
  auto catalog = AlertCatalog::open(dir / "catalog", std::size_t{1} << 30);
  REQUIRE(catalog);
  Fixture f = random_alerts(400, 11);
  REQUIRE((*catalog)->add(f.rows, {}));
  REQUIRE((*catalog)->add({f.rows.begin(), f.rows.begin() + 30}, {}));  // idempotent
  AlertFilters by_author;
  by_author.author = f.authors[0];
  std::vector<AlertFilters> cases{
      {},
      filters_of({{"country", "TN"}}),
      filters_of({{"lang", "fr"}, {"category", "impunity"}}),
      filters_of({{"from", "2013-01-01"}, {"to", "2015-06-30"}}),
      filters_of({{"country", "EG"}, {"from", "2016-01-01"}}),
      by_author,
  };
  std::vector<CatalogAlert> kept = f.rows;
  for (int round = 0; round < 2; ++round) {
    for (std::size_t c = 0; c < cases.size(); ++c) {
      INFO("round " << round << ", case " << c);
      auto got = (*catalog)->facet_counts(cases[c]);
      REQUIRE(got);
      check_same(*got, brute_counts(kept, cases[c]));
    }
    // Take out every third alert (as voiding a revoked key's alerts does): uncounted at once.
    std::vector<CatalogRemoval> removals;
    std::vector<CatalogAlert> rest;
    for (std::size_t i = 0; i < kept.size(); ++i) {
      if (i % 3 == 0) removals.push_back({kept[i].id, kept[i].created_ms});
      else rest.push_back(kept[i]);
    }
    REQUIRE((*catalog)->remove(removals, {}));
    kept = rest;
  }
  // A combination the counts do not hold is scanned; a scan bound stops it early, and says so.
  auto bounded =
      (*catalog)->facet_counts(filters_of({{"country", "TN"}, {"category", "detention"}}), 5);
  REQUIRE(bounded);
  CHECK_FALSE(bounded->exact);
  CHECK(bounded->total <= 5);
}

// ---- the timeline's counts (GET /api/timeline) ----

namespace {

// Per period ("YYYY", or "YYYY-MM" within `year`), counted over `rows`, the categories too.
TimelineCounts brute_timeline(const std::vector<CatalogAlert>& rows, const AlertFilters& filters,
                              std::optional<int> year) {
  TimelineCounts out;
  for (const auto& r : rows) {
    if (!keep(r, filters)) continue;
    const std::string d = date_of(r);
    if (year && d.substr(0, 4) != std::to_string(*year)) continue;
    const std::string period = year ? d.substr(0, 7) : d.substr(0, 4);
    ++out.total[period];
    for (const auto& c : r.alert->categories) ++out.by_category[period][c];
  }
  return out;
}

}  // namespace

TEST_CASE("timeline counts equal a brute-force count, per year and per month, before and after removals") {
  test::TempDir dir("catalog-timeline");
  auto catalog = AlertCatalog::open(dir / "catalog", std::size_t{1} << 30);
  REQUIRE(catalog);
  Fixture f = random_alerts(400, 12);
  REQUIRE((*catalog)->add(f.rows, {}));
  REQUIRE((*catalog)->add({f.rows.begin(), f.rows.begin() + 30}, {}));  // idempotent
  AlertFilters by_author;
  by_author.author = f.authors[1];
  // None or one filter: read from the counts; the others walk the rows.
  std::vector<AlertFilters> cases{
      {},
      filters_of({{"country", "TN"}}),
      filters_of({{"category", "impunity"}}),
      filters_of({{"lang", "ar"}}),
      by_author,
      filters_of({{"lang", "fr"}, {"category", "detention"}}),
      filters_of({{"from", "2013-01-01"}, {"to", "2015-06-30"}}),
      filters_of({{"country", "EG"}, {"from", "2016-03-01"}}),
  };
  const std::optional<int> years[] = {std::nullopt, 2013, 2019, 2020, 1995};
  std::vector<CatalogAlert> kept = f.rows;
  for (int round = 0; round < 2; ++round) {
    for (std::size_t c = 0; c < cases.size(); ++c) {
      for (auto year : years) {
        for (bool stacked : {false, true}) {
          INFO("round " << round << ", case " << c << ", year " << (year ? *year : 0)
                        << ", stacked " << stacked);
          auto got = (*catalog)->timeline(cases[c], year, stacked);
          REQUIRE(got);
          const TimelineCounts want = brute_timeline(kept, cases[c], year);
          CHECK(got->exact);
          CHECK(got->total == want.total);
          if (stacked) CHECK(got->by_category == want.by_category);
          else CHECK(got->by_category.empty());
        }
      }
    }
    // Take out every third alert (as voiding a revoked key's alerts does): uncounted at once.
    std::vector<CatalogRemoval> removals;
    std::vector<CatalogAlert> rest;
    for (std::size_t i = 0; i < kept.size(); ++i) {
      if (i % 3 == 0) removals.push_back({kept[i].id, kept[i].created_ms});
      else rest.push_back(kept[i]);
    }
    REQUIRE((*catalog)->remove(removals, {}));
    kept = rest;
  }
  // A walk stops at its bound, and says so.
  auto bounded = (*catalog)->timeline(filters_of({{"country", "TN"}, {"category", "detention"}}),
                                      std::nullopt, true, 5);
  REQUIRE(bounded);
  CHECK_FALSE(bounded->exact);
  std::uint64_t counted = 0;
  for (const auto& [period, n] : bounded->total) counted += n;
  CHECK(counted <= 5);
}
