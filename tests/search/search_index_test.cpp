// The search index on a real temporary Xapian database: stemming in each language (Arabic
// normalisation and light stemming too), query syntax, filters, pagination, replacement,
// readers and writers, metadata, and snippets that are safe HTML.
#include "node/search/search_index.hpp"

#include <catch2/catch.hpp>
#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <set>

#include "node/search/arabic_analysis.hpp"
#include "tests/support/temp_dir.hpp"

namespace ifex {
namespace {

using test::TempDir;
using Names = std::set<std::string>;

constexpr std::uint64_t t0 = 1'750'000'000'000;  // 2025-06-15, ms

PublicKey key(std::uint8_t fill) {
  Bytes raw(PublicKey::size, fill);
  return *PublicKey::from(raw);
}

Alert make_alert(std::string lang, std::string title, std::string summary = "",
                 std::string body = "") {
  Alert a;
  a.original = {std::move(lang), std::move(title), std::move(summary), std::move(body)};
  a.country = "TN";
  a.categories = {"press-freedom"};
  a.event_date = "2025-05-03";
  return a;
}

// A writable index in a temporary directory, the alerts put into it and their names.
struct Corpus {
  TempDir dir{"search"};
  std::unique_ptr<SearchIndex> index;
  std::map<Hash, Alert> alerts;
  std::map<Hash, std::string> names;

  Corpus() {
    auto opened = SearchIndex::open_writable(path());
    INFO((opened ? "" : opened.error().message));
    REQUIRE(opened);
    index = std::move(*opened);
  }

  std::filesystem::path path() const { return dir / "index"; }

  Hash add(const std::string& name, const Alert& alert, PublicKey author = key(1),
           std::uint64_t created_ms = t0) {
    Hash id = blake2b_256({as_bytes(name)});
    auto added = index->add({id, author, created_ms, alert});
    INFO((added ? "" : added.error().message));
    REQUIRE(added);
    alerts[id] = alert;
    names[id] = name;
    return id;
  }

  void commit() { REQUIRE(index->commit()); }

  AlertLoader loader() const {
    return [this](const Hash& id) -> std::optional<Alert> {
      auto it = alerts.find(id);
      if (it == alerts.end()) return std::nullopt;
      return it->second;
    };
  }

  SearchResults search(const std::string& query, const AlertFilters& filters = {},
                       std::size_t offset = 0, std::size_t limit = 100) const {
    auto results = index->search({query, filters, offset, limit}, loader());
    INFO("query: " << query << (results ? "" : " -> " + results.error().message));
    REQUIRE(results);
    return std::move(*results);
  }

  // Names of the matching alerts, in rank order.
  std::vector<std::string> ranked(const std::string& query,
                                  const AlertFilters& filters = {}) const {
    std::vector<std::string> out;
    for (const auto& hit : search(query, filters).hits) out.push_back(names.at(hit.id));
    return out;
  }

  Names find(const std::string& query, const AlertFilters& filters = {}) const {
    auto r = ranked(query, filters);
    return {r.begin(), r.end()};
  }

  std::string snippet(const std::string& query, const AlertFilters& filters = {}) const {
    auto results = search(query, filters);
    REQUIRE(results.hits.size() == 1);
    return results.hits[0].snippet_html;
  }
};

AlertFilters filters_with(std::initializer_list<std::pair<std::string_view, std::string_view>> kv) {
  AlertFilters f;
  for (auto [name, value] : kv) REQUIRE(set_filter(f, name, value));
  return f;
}

TEST_CASE("each language's words find their other inflections") {
  Corpus c;
  c.add("en", make_alert("en", "Police arrest a journalist in Tunis",
                         "The reporter was detained for covering protests."));
  c.add("fr", make_alert("fr", "Une journaliste arrêtée à Tunis",
                         "La journaliste couvrait les manifestations."));
  c.add("es", make_alert("es", "Detienen a un periodista en Caracas",
                         "El periodista cubría las protestas."));
  c.commit();

  CHECK(c.find("arrested") == Names{"en"});
  CHECK(c.find("journalists") == Names{"en"});
  CHECK(c.find("journalistes") == Names{"en", "fr"});
  CHECK(c.find("arrêtées") == Names{"fr"});
  CHECK(c.find("manifestation") == Names{"fr"});
  CHECK(c.find("periodistas") == Names{"es"});
  CHECK(c.find("protesting") == Names{"en", "es"});
  CHECK(c.find("covered protest") == Names{"en"});
  // A capitalised word is stemmed too (Xapian alone would look for the exact form).
  CHECK(c.find("Journalists Arrested") == Names{"en"});
  // Naming the language keeps alerts with text in it.
  CHECK(c.find("journalistes", filters_with({{"lang", "fr"}})) == Names{"fr"});
  CHECK(c.find("periodistas", filters_with({{"lang", "es"}})) == Names{"es"});
}

TEST_CASE("Arabic finds other inflections, the article, diacritics, tatweel and alef forms") {
  // Each group: forms of one word. Every form is one alert; searching for any form must find
  // exactly the alerts of its group (so both directions of every pair are checked).
  const std::vector<std::vector<std::string>> groups = {
      // journalist: singular, plurals, feminine, with the article, with tashkeel
      {"صحفي", "الصحفيين", "صحفيون", "الصحفي", "صحفية", "صحفيات", "صَحَفِيّ"},
      {"اعتقال", "اعتقالات", "الاعتقال", "واعتقال"},  // arrest(s), the arrest, and arrest
      {"ناشط", "الناشطات", "ناشطين"},                 // activist(s)
      {"محامي", "المحامون", "محامية"},                // lawyer(s)
      {"مظاهرة", "المظاهرات"},                        // demonstration(s)
      {"منظمة", "منظمات"},                            // organisation(s)
      {"مدون", "مدونين"},                             // blogger(s): three letters before ين
      {"سجين", "السجينات", "سجينة"},                  // prisoner(s)
      {"وزير", "والوزير", "الوزير"},                  // minister, and the minister
      {"مُعْتَقَل", "المعتقلين", "معتقلون"},              // detainee(s), with and without tashkeel
      {"احتجـــاج", "احتجاجات"},                      // protest(s), with and without tatweel
      {"أسرة", "اسره"},                               // family: hamza on alef, taa marbuta
      {"إعلام", "الاعلام"},                           // media: hamza under alef / plain alef
      {"مسؤول", "مسئول", "المسؤولين"},                // official: two spellings of the hamza
      {"الإفراج", "افراج"},                           // release
      {"آلاف", "الاف"},                               // thousands: madda / plain alef
  };
  Corpus c;
  std::vector<Names> members(groups.size());
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (std::size_t i = 0; i < groups[g].size(); ++i) {
      std::string name = "g" + std::to_string(g) + "." + std::to_string(i);
      c.add(name, make_alert("ar", "خبر عن " + groups[g][i], "تقرير"));
      members[g].insert(name);
    }
  }
  c.add("other", make_alert("ar", "خبر عن الحكومة", "تقرير"));
  c.commit();

  std::size_t alerts = 1;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    alerts += groups[g].size();
    for (const auto& form : groups[g]) {
      INFO(form);
      CHECK(c.find(form) == members[g]);
      CHECK(c.find(form, filters_with({{"lang", "ar"}})) == members[g]);
    }
  }
  CHECK(c.find("حكومات") == Names{"other"});
  // Phrases match the normalised words as written (alef forms, tashkeel, taa marbuta).
  c.add("phrase", make_alert("ar", "أفرجت السُّلطات عن الصحفية"));
  c.commit();
  CHECK(c.find("\"افرجت السلطات\"") == Names{"phrase"});
  CHECK(c.find("\"عن الصحفيه\"") == Names{"phrase"});
  CHECK(c.find("\"السلطات افرجت\"").empty());
  CHECK(c.find("تقرير").size() == alerts);
}

TEST_CASE("Arabic normalisation and light stems") {
  CHECK(normalize_arabic("أإآٱ") == "اااا");
  CHECK(normalize_arabic("مُعْتَقَلـــة") == "معتقله");
  CHECK(normalize_arabic("مستشفى ٢٠٢٥") == "مستشفي 2025");
  CHECK(normalize_arabic("Ça va, \xff bytes") == "Ça va, \xff bytes");  // others untouched
  CHECK(normalize_arabic(normalize_arabic("الإِعْلام")) == normalize_arabic("الإِعْلام"));
  CHECK(is_arabic_word("صحفي"));
  CHECK_FALSE(is_arabic_word("press"));
  CHECK(arabic_light_stem("الصحفيين") == "صحف");
  CHECK(arabic_light_stem("صحفيات") == "صحف");
  CHECK(arabic_light_stem("الاعتقالات") == "اعتقال");
  CHECK(arabic_light_stem("قوات") == arabic_light_stem("القوة"));
  CHECK(arabic_light_stem("سجين") == "سجين");
  // Known limit: broken plurals are other words to a light stemmer.
  CHECK(arabic_light_stem("صحيفة") != arabic_light_stem("صحف"));
}

TEST_CASE("phrases and boolean operators") {
  Corpus c;
  c.add("phrase", make_alert("en", "Press freedom under attack", "Radio station closed."));
  c.add("apart", make_alert("en", "Freedom of the press", "Newspaper closed by court."));
  c.add("radio", make_alert("en", "Radio host threatened", "Online threats."));
  c.commit();

  CHECK(c.find("\"press freedom\"") == Names{"phrase"});
  CHECK(c.find("press freedom") == Names{"phrase", "apart"});  // default operator: AND
  CHECK(c.find("press AND radio") == Names{"phrase"});
  CHECK(c.find("newspaper OR threatened") == Names{"apart", "radio"});
  CHECK(c.find("closed NOT radio") == Names{"apart"});
  CHECK(c.find("closed -radio") == Names{"apart"});
  CHECK(c.find("(newspaper OR host) AND closed") == Names{"apart"});
  CHECK(c.find("zeppelin").empty());
  CHECK(c.search("zeppelin").total_estimate == 0);
}

TEST_CASE("malformed queries are bad_query errors") {
  Corpus c;
  c.add("one", make_alert("en", "Press freedom"));
  c.add("two", make_alert("en", "Radio or press"));
  c.commit();
  for (std::string q : {"", "   ", "AND", "press AND", "NOT press", "press OR OR freedom",
                        "\"press freedom", "(press OR freedom", "press)", "...", "-"}) {
    auto r = c.index->search({q, {}, 0, 10}, c.loader());
    INFO("query: [" << q << "]");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "bad_query");
    CHECK_FALSE(r.error().message.empty());
  }
  // Operators in lower case are words; brackets inside a phrase are characters.
  CHECK(c.find("press or radio") == Names{"two"});
  CHECK(c.find("\"press (freedom\"") == Names{"one"});
}

TEST_CASE("random queries give results or bad_query, never anything else") {
  Corpus c;
  c.add("one", make_alert("ar", "اعتقال صحفي", "Press freedom (report)"));
  c.commit();
  const std::vector<std::string> pieces = {
      "press", "صحفي", "الإعلام", "ـ",    "ً",     "\"",   "(",        ")", "AND",
      "OR",    "NOT",  "XOR",     "NEAR", "ADJ",  "-",    "+",        "*", ":",
      "tag:",  "“",    "”",       " ",    "\xff", "\xd8", "\xe2\x80", "&", "<"};
  std::uint64_t seed = 7;
  auto next = [&] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>(seed >> 33);
  };
  for (int i = 0; i < 500; ++i) {
    std::string q;
    for (std::size_t n = next() % 8; n > 0; --n) q += pieces[next() % pieces.size()];
    CHECK(normalize_arabic(normalize_arabic(q)) == normalize_arabic(q));
    auto r = c.index->search({q, {}, 0, 10}, c.loader());
    INFO("query: [" << q << "]" << (r ? "" : " -> " + r.error().message));
    CHECK((r || r.error().code == "bad_query"));
  }
}

TEST_CASE("filters alone and combined") {
  Corpus c;
  Alert tn_en = make_alert("en", "Blogger detained", "", "");
  Alert eg_fr = make_alert("fr", "Blogueur détenu", "", "");
  eg_fr.translations = {{"en", "Blogger detained in Cairo", "", ""}};
  eg_fr.country = "EG";
  eg_fr.categories = {"detention", "online-harassment"};
  eg_fr.event_date = "2024-11-20";
  Alert no_date = make_alert("en", "Blogger detained again");
  no_date.event_date = "";  // falls back to the signing day, 2025-06-15
  no_date.country = "EG";
  Alert ar = make_alert("ar", "اعتقال مدون", "Blogger detained");
  ar.country = "EG";
  ar.categories = {"detention"};
  ar.event_date = "2024-11-21";
  c.add("tn_en", tn_en, key(1));
  c.add("eg_fr", eg_fr, key(2));
  c.add("no_date", no_date, key(1));
  c.add("ar", ar, key(2));
  c.commit();

  CHECK(c.find("detained") == Names{"tn_en", "eg_fr", "no_date", "ar"});
  // With a language named, only alerts with a text in it are kept.
  CHECK(c.find("détenues", filters_with({{"lang", "fr"}})) == Names{"eg_fr"});
  CHECK(c.find("blogueurs", filters_with({{"lang", "fr"}})) == Names{"eg_fr"});
  CHECK(c.find("detained", filters_with({{"lang", "en"}})) == Names{"tn_en", "eg_fr", "no_date"});
  CHECK(c.find("detained", filters_with({{"country", "eg"}})) == Names{"eg_fr", "no_date", "ar"});
  CHECK(c.find("detained", filters_with({{"category", "detention"}})) == Names{"eg_fr", "ar"});
  CHECK(c.find("detained", filters_with({{"category", "online-harassment"}})) == Names{"eg_fr"});
  CHECK(c.find("detained", filters_with({{"from", "2025-01-01"}})) == Names{"tn_en", "no_date"});
  CHECK(c.find("detained", filters_with({{"to", "2024-11-20"}})) == Names{"eg_fr"});
  CHECK(c.find("detained", filters_with({{"from", "2024-11-20"}, {"to", "2024-11-21"}})) ==
        Names{"eg_fr", "ar"});
  CHECK(c.find("detained", filters_with({{"from", "2025-06-15"}, {"to", "2025-06-15"}})) ==
        Names{"no_date"});
  CHECK(c.find("detained", filters_with({{"lang", "en"},
                                         {"country", "EG"},
                                         {"category", "detention"},
                                         {"from", "2024-11-01"},
                                         {"to", "2024-11-30"}})) == Names{"eg_fr"});
  AlertFilters by_author;
  by_author.author = key(2);
  CHECK(c.find("detained", by_author) == Names{"eg_fr", "ar"});
  by_author.author = key(3);
  CHECK(c.find("detained", by_author).empty());
}

TEST_CASE("facets count the whole match set, beyond the page and past a thousand matches") {
  Corpus c;
  const std::vector<std::string> countries{"TN", "EG", "MX"}, cats{"detention", "impunity"};
  std::map<std::string, std::uint64_t> country, category, lang, year, author;
  std::uint64_t matching = 0;
  std::string newest = "0000", oldest = "9999";
  for (int i = 0; i < 2500; ++i) {
    Alert a = make_alert(i % 2 ? "fr" : "en", i % 5 ? "Reporter held" : "Unrelated news");
    a.country = countries[i % 3];
    a.categories = i % 4 ? std::vector<std::string>{cats[0]} : cats;
    a.event_date = std::to_string(1995 + i % 30) + "-01-0" + std::to_string(1 + i % 9);
    if (i % 7 == 0) a.translations.push_back({"ar", "t", "s", "b"});
    PublicKey who = key(static_cast<std::uint8_t>(1 + i % 2));
    c.add("n" + std::to_string(i), a, who);
    if (i % 5 == 0) continue;  // not a match
    ++matching, ++country[a.country], ++year[a.event_date.substr(0, 4)], ++author[who.hex()];
    newest = std::max(newest, a.event_date), oldest = std::min(oldest, a.event_date);
    for (const auto& k : a.categories) ++category[k];
    ++lang[a.original.lang];
    for (const auto& t : a.translations) ++lang[t.lang];
  }
  c.commit();
  SearchRequest request{"reporter", {}, 0, 1, SearchSort::relevance, true};
  auto got = c.index->search(request, {});
  REQUIRE(got);
  CHECK(got->hits.size() == 1);
  CHECK(got->facets.exact);
  CHECK(got->facets.total == matching);
  CHECK(got->facets.country == country);
  CHECK(got->facets.category == category);
  CHECK(got->facets.lang == lang);
  CHECK(got->facets.year == year);
  CHECK(got->facets.author == author);

  // Sorted by date: each page continues the last, never going back in time.
  for (SearchSort sort : {SearchSort::newest, SearchSort::oldest}) {
    SearchRequest sorted{"reporter", {}, 0, 300, sort, false};
    auto page = c.index->search(sorted, c.loader());
    REQUIRE(page);
    std::vector<std::string> dates;
    for (const auto& hit : page->hits) dates.push_back(c.alerts.at(hit.id).event_date);
    std::vector<std::string> want = dates;
    std::sort(want.begin(), want.end());
    if (sort == SearchSort::newest) std::reverse(want.begin(), want.end());
    CHECK(dates == want);
    CHECK(dates.front() == (sort == SearchSort::newest ? newest : oldest));
  }
}

TEST_CASE("pages have no duplicates and agree on the total") {
  Corpus c;
  for (int i = 0; i < 25; ++i)
    c.add("n" + std::to_string(i),
          make_alert("en", "Reporter " + std::string(i % 3 + 1, 'x'), "A reporter was summoned."));
  c.add("other", make_alert("en", "Unrelated"));
  c.commit();

  Names seen;
  std::size_t pages = 0;
  for (std::size_t offset = 0;; offset += 10, ++pages) {
    auto page = c.search("reporters", {}, offset, 10);
    CHECK(page.total_estimate == 25);
    if (page.hits.empty()) break;
    CHECK(page.hits.size() == (offset < 20 ? 10u : 5u));
    for (const auto& hit : page.hits) {
      CHECK(seen.insert(c.names.at(hit.id)).second);
      CHECK(hit.percent > 0);
      CHECK(hit.percent <= 100);
    }
  }
  CHECK(pages == 3);
  CHECK(seen.size() == 25);
  CHECK(c.search("reporters", {}, 0, 0).hits.empty());
}

TEST_CASE("adding an alert again replaces it") {
  Corpus c;
  Hash id = c.add("one", make_alert("en", "First wording about a raid"));
  c.commit();
  Alert changed = make_alert("en", "Second wording about a closure");
  REQUIRE(c.index->add({id, key(1), t0, changed}));
  c.alerts[id] = changed;
  c.commit();
  CHECK(*c.index->document_count() == 1);
  CHECK(c.find("raid").empty());
  CHECK(c.find("closure") == Names{"one"});
  CHECK(c.find("wording").size() == 1);
}

TEST_CASE("titles weigh more than bodies") {
  Corpus c;
  c.add("body", make_alert("en", "Court hearing postponed", "Summary of the case.",
                           "The defence lawyer asked for surveillance records."));
  c.add("title", make_alert("en", "Surveillance records requested", "Summary of the case.",
                            "The defence lawyer asked for court hearing notes."));
  c.commit();
  CHECK(c.ranked("surveillance") == std::vector<std::string>{"title", "body"});
  CHECK(c.ranked("hearing") == std::vector<std::string>{"body", "title"});
}

TEST_CASE("tags and legacy ids are searchable") {
  Corpus c;
  Alert a = make_alert("en", "Activist sentenced");
  a.tags = {"free-alaa", "world-press-day"};
  a.legacy_id = "IFEX-2019-0042";
  c.add("tagged", a);
  c.add("plain", make_alert("en", "Activist sentenced again"));
  c.commit();
  CHECK(c.find("alaa") == Names{"tagged"});
  CHECK(c.find("free-alaa") == Names{"tagged"});
  CHECK(c.find("activist tag:free-alaa") == Names{"tagged"});
  CHECK(c.find("IFEX-2019-0042") == Names{"tagged"});
}

TEST_CASE("snippets are escaped HTML with marked matches") {
  Corpus c;
  c.add("html", make_alert("en", "Site <script>alert(\"x\")</script> blocked",
                           "Tom & Jerry's 'cartoon' site was blocked; a < b > c.",
                           "The authorities wrote &lt;b&gt; in their order."));
  c.commit();
  const std::string s = c.snippet("blocked");
  INFO(s);
  CHECK(s.find("<mark>blocked</mark>") != std::string::npos);
  CHECK(s.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") != std::string::npos);
  CHECK(s.find("Tom &amp; Jerry&#39;s &#39;cartoon&#39;") != std::string::npos);
  CHECK(s.find("a &lt; b &gt; c") != std::string::npos);
  // Outside the mark tags: no '<', '>', '"' or '\'', and every '&' starts an entity.
  std::string rest = s;
  for (std::string tag : {"<mark>", "</mark>"})
    for (auto pos = rest.find(tag); pos != std::string::npos; pos = rest.find(tag))
      rest.erase(pos, tag.size());
  CHECK(rest.find_first_of("<>\"'") == std::string::npos);
  for (auto pos = rest.find('&'); pos != std::string::npos; pos = rest.find('&', pos + 1)) {
    auto entity = rest.substr(pos, rest.find(';', pos) - pos + 1);
    CHECK((entity == "&amp;" || entity == "&lt;" || entity == "&gt;" || entity == "&quot;" ||
           entity == "&#39;"));
  }
  // An entity in the author's text is shown as written, not interpreted.
  CHECK(c.snippet("authorities").find("&amp;lt;b&amp;gt;") != std::string::npos);
}

TEST_CASE("snippets come from the requested language or the matching text") {
  Corpus c;
  Alert a = make_alert("fr", "Journaliste arrêtée à Sfax", "Elle couvrait une grève.");
  a.translations = {{"ar", "اعتقال صحفية في صفاقس", "كانت تغطي إضراباً", ""},
                    {"en", "Journalist arrested in Sfax", "She was covering a strike.", ""}};
  c.add("multi", a);
  c.commit();

  const std::string en = c.snippet("strike");
  INFO(en);
  CHECK(en.find("<mark>strike</mark>") != std::string::npos);
  CHECK(en.find("Journalist arrested in Sfax — She was covering") != std::string::npos);
  CHECK(en.find('\n') == std::string::npos);

  const std::string ar = c.snippet("الصحفيات");
  INFO(ar);
  CHECK(ar.find("<mark>صحفية</mark>") != std::string::npos);  // the original spelling, marked

  const std::string ar_lang = c.snippet("Sfax", filters_with({{"lang", "ar"}}));
  CHECK(ar_lang.find("صفاقس") !=
        std::string::npos);  // the Arabic text, though it matched in others
  const std::string fr = c.snippet("arrêtées", filters_with({{"lang", "fr"}}));
  CHECK(fr.find("<mark>arrêtée</mark>") != std::string::npos);

  // Without a loader, no snippets.
  auto bare = c.index->search({"strike", {}, 0, 10}, {});
  REQUIRE(bare);
  REQUIRE(bare->hits.size() == 1);
  CHECK(bare->hits[0].snippet_html.empty());
  // A loader that throws costs the search, not the caller.
  auto thrown = c.index->search({"strike", {}, 0, 10}, [](const Hash&) -> std::optional<Alert> {
    throw std::runtime_error("store closed");
  });
  REQUIRE_FALSE(thrown);
  CHECK(thrown.error().code == "search_index");
  CHECK(thrown.error().message.find("store closed") != std::string::npos);
}

TEST_CASE("one writer at a time; readers see commits after refresh") {
  Corpus c;
  auto second = SearchIndex::open_writable(c.path());
  REQUIRE_FALSE(second);
  CHECK(second.error().code == "index_locked");
  CHECK(second.error().message.find("locked") != std::string::npos);

  c.add("one", make_alert("en", "First alert"));
  c.commit();
  auto reader = SearchIndex::open_readonly(c.path());
  REQUIRE(reader);
  auto& r = **reader;
  CHECK(*r.document_count() == 1);

  c.add("two", make_alert("en", "Second alert"));
  REQUIRE(c.index->set_metadata("last_seq", "2"));
  CHECK(*r.document_count() == 1);  // not yet committed
  c.commit();
  CHECK(*r.document_count() == 1);  // committed, but the reader still reads its revision
  REQUIRE(r.refresh());
  CHECK(*r.document_count() == 2);
  CHECK(*r.metadata("last_seq") == "2");
  CHECK(*r.metadata("never_set") == "");
  auto found = r.search({"second", {}, 0, 10}, {});
  REQUIRE(found);
  CHECK(found->hits.size() == 1);

  auto add = r.add({Hash{}, key(1), t0, make_alert("en", "x")});
  REQUIRE_FALSE(add);
  CHECK(add.error().code == "read_only");
  CHECK_FALSE(r.set_metadata("k", "v"));
  CHECK(*c.index->metadata("last_seq") == "2");

  // The lock goes with the writer.
  c.index.reset();
  auto reopened = SearchIndex::open_writable(c.path());
  REQUIRE(reopened);
  CHECK(*(*reopened)->document_count() == 2);
}

TEST_CASE("opening a missing index for reading is no_index") {
  TempDir dir("search-missing");
  auto missing = SearchIndex::open_readonly(dir / "nothing-here");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == "no_index");
  std::filesystem::create_directories(dir / "empty");
  auto empty = SearchIndex::open_readonly(dir / "empty");
  REQUIRE_FALSE(empty);
  CHECK(empty.error().code == "no_index");
}

// Figures for docs/performance.md, not a check: run with `search_test "[bench]"`.
TEST_CASE("figures: index and search 10,000 synthetic alerts", "[.][bench]") {
  using clock = std::chrono::steady_clock;
  const std::vector<std::string> en_words = {
      "journalist", "arrested", "detained",   "court",    "sentenced",  "protest", "police",
      "blogger",    "released", "internet",   "shutdown", "censorship", "radio",   "newspaper",
      "activist",   "lawyer",   "threatened", "attack",   "freedom",    "press",   "report"};
  const std::vector<std::string> ar_words = {"صحفي", "اعتقال",  "المحكمة",  "احتجاجات", "الشرطة",
                                             "مدون", "الإفراج", "الإنترنت", "حجب",      "ناشطين"};
  const std::vector<std::string> langs = {"en", "fr", "es", "ar"};
  std::uint64_t seed = 42;
  auto next = [&] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>(seed >> 33);
  };
  auto sentence = [&](const std::vector<std::string>& words, int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += (i ? " " : "") + words[next() % words.size()];
    return s + ".";
  };

  TempDir dir("search-bench");
  auto opened = SearchIndex::open_writable(dir / "index");
  REQUIRE(opened);
  auto& index = **opened;
  std::map<Hash, Alert> alerts;
  const int n = 10'000;
  auto start = clock::now();
  for (int i = 0; i < n; ++i) {
    const std::string& lang = langs[i % langs.size()];
    const auto& words = lang == "ar" ? ar_words : en_words;
    Alert a = make_alert(lang, sentence(words, 8), sentence(words, 30), sentence(words, 250));
    if (i % 2 == 0) a.translations = {{"en", sentence(en_words, 8), sentence(en_words, 30), ""}};
    if (lang == "en") a.translations.clear();
    a.country = i % 3 == 0 ? "EG" : "TN";
    Hash id = blake2b_256({as_bytes("bench" + std::to_string(i))});
    REQUIRE(index.add({id, key(static_cast<std::uint8_t>(i % 5)), t0, a}));
    alerts[id] = std::move(a);
  }
  const auto added = clock::now();
  REQUIRE(index.commit());
  const double index_s = std::chrono::duration<double>(clock::now() - start).count();
  std::uintmax_t bytes = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir / "index"))
    if (f.is_regular_file()) bytes += f.file_size();
  std::cout << "indexed " << n << " alerts (~2 KB of text each) in " << index_s << " s ("
            << n / index_s << " alerts/s; commit "
            << std::chrono::duration<double>(clock::now() - added).count() << " s), "
            << bytes / (1024 * 1024) << " MiB on disk\n";

  AlertLoader load = [&](const Hash& id) -> std::optional<Alert> { return alerts.at(id); };
  for (std::string q : {"journalist", "arrested journalists", "\"press freedom\"",
                        "court OR lawyer", "اعتقال الصحفيين", "censorship -radio"}) {
    for (bool with_filters : {false, true}) {
      AlertFilters f;
      if (with_filters) f = filters_with({{"country", "EG"}});
      const int runs = 20;
      std::size_t total = 0;
      auto time_ms = [&](const AlertLoader& loader) {
        auto t = clock::now();
        for (int i = 0; i < runs; ++i) {
          auto r = index.search({q, f, 0, 20}, loader);
          REQUIRE(r);
          total = r->total_estimate;
        }
        return std::chrono::duration<double, std::milli>(clock::now() - t).count() / runs;
      };
      const double bare_ms = time_ms({});
      const double snippets_ms = time_ms(load);
      std::cout << "  [" << q << "]" << (with_filters ? " country=EG" : "") << ": " << total
                << " matches; first 20 in " << bare_ms << " ms, with snippets " << snippets_ms
                << " ms\n";
    }
  }
}

}  // namespace
}  // namespace ifex
