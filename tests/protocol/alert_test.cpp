// The alert payload: canonical encoding, validation (each rule names its field), strict UTF-8,
// and the vocabularies of protocol/taxonomy.
#include "protocol/alert.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>

#include "protocol/canonical.hpp"
#include "protocol/taxonomy.hpp"
#include "protocol/utf8.hpp"
#include "tests/protocol/protocol_fixtures.hpp"

namespace ifex {
namespace {

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using test::sample_alert;

// The documented layout written out again, without canonicalisation: what a careless or hostile
// author could sign.
Bytes encode_as_is(const Alert& a) {
  CanonicalWriter w;
  auto block = [&](const AlertText& t) {
    w.text(t.lang);
    w.text(t.title);
    w.text(t.summary);
    w.text(t.body);
  };
  auto list = [&](const std::vector<std::string>& items) {
    w.u64(items.size());
    for (const auto& s : items) w.text(s);
  };
  w.u8(alert_format);
  block(a.original);
  w.u64(a.translations.size());
  for (const auto& t : a.translations) block(t);
  w.text(a.country);
  list(a.categories);
  w.text(a.event_date);
  list(a.sources);
  list(a.tags);
  w.text(a.legacy_id);
  return w.finish();
}

Alert canonical(Alert a) {
  canonicalize(a);
  return a;
}

// The message of the first rule `a` breaks, or "" when it is valid.
std::string problem(const Alert& a, Vocabulary vocabulary = Vocabulary::known_only) {
  auto st = validate_alert(a, vocabulary);
  if (st) return "";
  CHECK(st.error().code == "invalid_alert");
  return st.error().message;
}

// Invalid for authors and receivers alike, with a message that starts with `field`: both
// validate_alert and decode_alert of the bytes an author could sign anyway refuse it. Where a
// length or count limit is broken, the decoder stops earlier, at the reader's limit.
void require_invalid(const Alert& a, const std::string& field,
                     const std::string& decode_code = "invalid_alert") {
  INFO("expected a problem with " << field);
  CHECK_THAT(problem(a, Vocabulary::known_only), StartsWith(field + ": "));
  CHECK_THAT(problem(a, Vocabulary::any_well_formed), StartsWith(field + ": "));
  auto decoded = decode_alert(encode_as_is(canonical(a)));
  REQUIRE_FALSE(decoded);
  CHECK(decoded.error().code == decode_code);
  if (decode_code == "invalid_alert") CHECK_THAT(decoded.error().message, StartsWith(field + ": "));
}

// --- canonical encoding -------------------------------------------------------------------------

TEST_CASE("decode(encode(alert)) gives back the canonical alert", "[alert]") {
  Alert a = sample_alert();
  a.legacy_id = "IFEX-1995-0042";
  REQUIRE(validate_alert(a, Vocabulary::known_only));
  Bytes bytes = encode_alert(a);
  auto decoded = decode_alert(bytes);
  REQUIRE(decoded);
  CHECK(*decoded == canonical(a));
  CHECK(encode_alert(*decoded) == bytes);
  // The hand-written layout above agrees with the encoder.
  CHECK(encode_as_is(canonical(a)) == bytes);
  CHECK(bytes[0] == 0x01);
  CHECK(bytes[1] == alert_format);
}

TEST_CASE("one alert given with its lists in any order has one encoding", "[alert]") {
  Alert a = sample_alert();
  a.categories = {"detention", "impunity", "press-freedom"};
  a.tags = {"a-tag", "b-tag", "c-tag", "d-tag"};
  a.translations = {{"fr", "Titre", "", ""}, {"ar", "عنوان", "", ""}, {"es", "Título", "", ""}};
  const Bytes expected = encode_alert(a);
  std::mt19937 rng(1);
  std::vector<std::string> categories = a.categories;
  std::sort(categories.begin(), categories.end());
  do {
    Alert b = a;
    b.categories = categories;
    std::shuffle(b.tags.begin(), b.tags.end(), rng);
    std::shuffle(b.translations.begin(), b.translations.end(), rng);
    CHECK(encode_alert(b) == expected);
  } while (std::next_permutation(categories.begin(), categories.end()));

  // Repeated categories and tags collapse; repeated sources keep their first place.
  Alert repeated = a;
  repeated.categories.push_back("impunity");
  repeated.tags.push_back("a-tag");
  CHECK(encode_alert(repeated) == expected);
  Alert sources = a;
  sources.sources = {"https://b.example/", "https://a.example/", "https://b.example/"};
  auto decoded = decode_alert(encode_alert(sources));
  REQUIRE(decoded);
  CHECK(decoded->sources == std::vector<std::string>{"https://b.example/", "https://a.example/"});
}

TEST_CASE("source order is the author's and is part of the encoding", "[alert]") {
  Alert a = sample_alert();
  a.sources = {"https://b.example/", "https://a.example/"};
  Alert b = a;
  std::reverse(b.sources.begin(), b.sources.end());
  CHECK(encode_alert(a) != encode_alert(b));
  CHECK(decode_alert(encode_alert(a))->sources == a.sources);
}

TEST_CASE("decode_alert refuses lists out of canonical order", "[alert]") {
  Alert base = canonical(sample_alert());
  base.categories = {"detention", "press-freedom"};
  base.tags = {"a-tag", "b-tag"};
  base.translations = {{"ar", "عنوان", "", ""}, {"fr", "Titre", "", ""}};
  base.sources = {"https://a.example/", "https://b.example/"};
  REQUIRE(decode_alert(encode_as_is(base)));

  auto code_of = [](const Alert& a) {
    auto r = decode_alert(encode_as_is(a));
    return r ? std::string("ok") : r.error().code;
  };
  Alert a = base;
  std::reverse(a.categories.begin(), a.categories.end());
  CHECK(code_of(a) == "not_canonical");
  a = base;
  a.categories = {"detention", "detention"};
  CHECK(code_of(a) == "not_canonical");
  a = base;
  std::reverse(a.tags.begin(), a.tags.end());
  CHECK(code_of(a) == "not_canonical");
  a = base;
  a.tags = {"a-tag", "a-tag"};
  CHECK(code_of(a) == "not_canonical");
  a = base;
  std::reverse(a.translations.begin(), a.translations.end());
  CHECK(code_of(a) == "not_canonical");
  a = base;
  a.sources = {"https://a.example/", "https://a.example/"};
  CHECK(code_of(a) == "not_canonical");
}

TEST_CASE("decode_alert is strict about framing", "[alert]") {
  const Bytes good = encode_alert(sample_alert());
  auto code_of = [](ByteView b) {
    auto r = decode_alert(b);
    return r ? std::string("ok") : r.error().code;
  };
  for (std::size_t len = 0; len < good.size(); ++len) {
    INFO("length " << len);
    CHECK(code_of(ByteView(good).first(len)) != "ok");
  }
  Bytes longer = good;
  longer.push_back(0);
  CHECK(code_of(longer) == "trailing_bytes");
  Bytes flag = good;
  flag[0] = 0x00;
  CHECK(code_of(flag) == "not_canonical");
  Bytes format = good;
  format[1] = 2;
  CHECK(code_of(format) == "unknown_version");

  // Hostile counts and lengths are refused before anything is allocated.
  CanonicalWriter w;
  w.u8(alert_format);
  w.u64(0xffffffffffffffff);  // length of the original's language code
  CHECK(code_of(w.finish()) == "too_large");
  CanonicalWriter t;
  t.u8(alert_format);
  for (const char* s : {"en", "Title", "", ""}) t.text(s);
  t.u64(0xffffffffffffffff);  // number of translations
  CHECK(code_of(t.finish()) == "too_many");
}

TEST_CASE("limits apply when validating and when decoding", "[alert]") {
  AlertLimits small;
  small.max_title_bytes = 10;
  Alert a = sample_alert("A title longer than ten bytes");
  auto st = validate_alert(a, Vocabulary::known_only, small);
  REQUIRE_FALSE(st);
  CHECK_THAT(st.error().message, StartsWith("original.title: is 29 bytes; the limit is 10"));
  auto decoded = decode_alert(encode_alert(a), small);
  REQUIRE_FALSE(decoded);
  CHECK(decoded.error().code == "too_large");

  Alert many = sample_alert();
  many.translations.clear();
  for (const char* lang : {"ar", "de", "es", "fa", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru",
                           "sw", "tr", "uk", "zh", "zu"})
    many.translations.push_back({lang, "t", "", ""});
  require_invalid(many, "translations", "too_many");
  many.translations.pop_back();
  CHECK(problem(many).empty());

  Alert categories = sample_alert();
  categories.categories = {"censorship",        "detention",           "impunity",
                           "surveillance",      "press-freedom",       "legal-harassment",
                           "online-harassment", "artistic-expression", "freedom-of-assembly"};
  require_invalid(categories, "categories", "too_many");
}

// --- validation, one rule at a time -------------------------------------------------------------

TEST_CASE("a sample alert is valid for authors and receivers", "[alert][validation]") {
  CHECK(problem(sample_alert(), Vocabulary::known_only).empty());
  CHECK(problem(sample_alert(), Vocabulary::any_well_formed).empty());
}

TEST_CASE("titles, languages and translations", "[alert][validation]") {
  Alert a = sample_alert("");
  require_invalid(a, "original.title");
  CHECK_THAT(problem(a), Contains("must not be empty"));

  a = sample_alert("Two\nlines");
  require_invalid(a, "original.title");
  CHECK_THAT(problem(a), Contains("line break"));

  a = sample_alert();
  a.translations[0].title = "";
  require_invalid(a, "translations.fr.title");

  a = sample_alert();
  a.original.lang = "EN";
  require_invalid(a, "original.lang");
  a.original.lang = "e";
  require_invalid(a, "original.lang");

  a = sample_alert();
  a.translations.push_back(a.translations[0]);
  require_invalid(a, "translations.fr");
  CHECK_THAT(problem(a), Contains("appears twice"));

  a = sample_alert();
  a.translations.push_back({"en", "Same language as the original", "", ""});
  require_invalid(a, "translations.en");
  CHECK_THAT(problem(a), Contains("original's language"));

  // A well-formed code this version does not list: not signed here, carried if received.
  a = sample_alert();
  a.translations[0].lang = "xq";
  CHECK_THAT(problem(a, Vocabulary::known_only), StartsWith("translations.xq.lang: "));
  CHECK(problem(a, Vocabulary::any_well_formed).empty());
  CHECK(decode_alert(encode_alert(a)));
}

TEST_CASE("country codes", "[alert][validation]") {
  for (const char* bad : {"", "fr", "F1", "F"}) {
    Alert a = sample_alert();
    a.country = bad;
    require_invalid(a, "country");
  }
  Alert a = sample_alert();
  a.country = "FRA";
  require_invalid(a, "country", "too_large");
  a.country = "ZZ";  // well formed, not assigned
  CHECK_THAT(problem(a, Vocabulary::known_only), StartsWith("country: 'ZZ'"));
  CHECK(problem(a, Vocabulary::any_well_formed).empty());
  a.country = "XK";
  CHECK(problem(a).empty());
}

TEST_CASE("categories: known for authors, well formed for receivers", "[alert][validation]") {
  Alert a = sample_alert();
  a.categories = {"press-freedom", "deep-fakes"};
  CHECK_THAT(problem(a, Vocabulary::known_only),
             StartsWith("categories: 'deep-fakes' is not in the taxonomy"));
  CHECK(problem(a, Vocabulary::any_well_formed).empty());
  auto decoded = decode_alert(encode_alert(a));
  REQUIRE(decoded);
  CHECK(decoded->categories == std::vector<std::string>{"deep-fakes", "press-freedom"});

  for (const char* bad : {"Press-Freedom", "press_freedom", "-press", "press-", "a--b", ""}) {
    a.categories = {bad};
    require_invalid(a, "categories");
  }
  a.categories = {};
  require_invalid(a, "categories");
  CHECK_THAT(problem(a), Contains("at least one"));
}

TEST_CASE("event dates are real calendar days", "[alert][validation]") {
  for (const char* good :
       {"2024-02-29", "2000-02-29", "1995-01-01", "2023-12-31", "1900-01-01", "2999-12-31"}) {
    INFO(good);
    CHECK(is_valid_date(good));
  }
  for (const char* bad : {"2023-02-29", "1900-02-29", "2100-02-29", "2023-04-31", "2023-13-01",
                          "2023-00-10", "2023-01-00", "2023-1-01", "1899-12-31", "3000-01-01",
                          "2023/01/01", "2023-01-0a", "20230101", "2023-01-011", " 2023-01-01"}) {
    INFO(bad);
    CHECK_FALSE(is_valid_date(bad));
  }
  Alert a = sample_alert();
  a.event_date = "2023-02-29";
  require_invalid(a, "event_date");
  CHECK_THAT(problem(a), Contains("'2023-02-29'"));
  a.event_date = "";  // unknown date
  CHECK(problem(a).empty());
}

TEST_CASE("sources are absolute http(s) URLs", "[alert][validation]") {
  for (const char* bad : {"ftp://example.org/", "example.org", "https://", "http://",
                          "https://exa mple.org", "javascript:alert(1)", "HTTPS://EXAMPLE.ORG",
                          "https://example.org/\x7f", "https://example.org/\n", "",
                          "https://example.org/\xc2\x9b"
                          "31m",
                          "https://example.org/\xc0\xaf"}) {
    Alert a = sample_alert();
    a.sources = {bad};
    INFO(bad);
    require_invalid(a, "sources");
  }
  Alert a = sample_alert();
  a.sources = {"https://example.org/" + std::string(2048, 'a')};
  require_invalid(a, "sources", "too_large");
  a.sources = {"https://example.org/caf\xc3\xa9?q=1#x", "http://192.0.2.1:8080/"};
  CHECK(problem(a).empty());
}

TEST_CASE("tags are lowercase slugs", "[alert][validation]") {
  for (const char* bad : {"Bad", "a_b", "-a", "a-", "a--b", "", "a b", "caf\xc3\xa9"}) {
    Alert a = sample_alert();
    a.tags = {bad};
    INFO(bad);
    require_invalid(a, "tags");
  }
  Alert a = sample_alert();
  a.tags = {std::string(65, 'a')};
  require_invalid(a, "tags", "too_large");
  a.tags = {std::string(64, 'a'), "x", "2024", "free-them-all"};
  CHECK(problem(a).empty());
}

TEST_CASE("legacy ids are short printable ASCII", "[alert][validation]") {
  for (const char* bad : {"has space", "caf\xc3\xa9", "tab\there"}) {
    Alert a = sample_alert();
    a.legacy_id = bad;
    require_invalid(a, "legacy_id");
  }
  Alert a = sample_alert();
  a.legacy_id = std::string(129, 'x');
  require_invalid(a, "legacy_id", "too_large");
  a.legacy_id = std::string(128, 'x');
  CHECK(problem(a).empty());
}

TEST_CASE("text must be valid UTF-8", "[alert][validation][utf8]") {
  struct Case {
    const char* name;
    std::string bytes;
  };
  const Case cases[] = {{"overlong /", "\xc0\xaf"},    {"overlong NUL", "\xc0\x80"},
                        {"surrogate", "\xed\xa0\x80"}, {"above U+10FFFF", "\xf4\x90\x80\x80"},
                        {"truncated", "\xe2\x82"},     {"lone continuation", "\x80"},
                        {"invalid byte", "\xff"}};
  for (const auto& c : cases) {
    INFO(c.name);
    Alert a = sample_alert("ok " + c.bytes);
    require_invalid(a, "original.title");
    CHECK_THAT(problem(a), Contains("invalid UTF-8 at byte 3"));
    a = sample_alert();
    a.original.body = "ok\n" + c.bytes;
    require_invalid(a, "original.body");
    a = sample_alert();
    a.translations[0].summary = c.bytes;
    require_invalid(a, "translations.fr.summary");
  }
}

TEST_CASE("control characters are refused, line breaks only in multi-line text",
          "[alert][validation]") {
  const std::vector<std::string> controls = {std::string("a\0b", 3),
                                             "a\x1b[2Jb",
                                             "a\x7f",
                                             "a\xc2\x9b"
                                             "31m",
                                             "a\xc2\x85",
                                             "a\xc2\x80"};
  for (const auto& bad : controls) {
    INFO(to_hex(as_bytes(bad)));
    Alert a = sample_alert("title " + bad);
    require_invalid(a, "original.title");
    a = sample_alert();
    a.original.body = bad;
    require_invalid(a, "original.body");
    a = sample_alert();
    a.translations[0].summary = bad;
    require_invalid(a, "translations.fr.summary");
  }
  Alert a = sample_alert("No\u00a0break");  // NBSP (C2 A0) is text, not a control
  a.original.summary = "tab\there\r\n";
  a.original.body = "line 1\nline 2\r\n\tindented";
  CHECK(problem(a).empty());
  a = sample_alert("tab\there");
  require_invalid(a, "original.title");
}

TEST_CASE("messages show hostile values escaped", "[alert][validation]") {
  Alert a = sample_alert();
  a.categories = {"\x1b[2J\n\xc2\x9b"};
  std::string message = problem(a, Vocabulary::any_well_formed);
  CHECK_THAT(message, StartsWith("categories: '\\x1b[2J\\x0a\\xc2\\x9b'"));
  CHECK(std::none_of(message.begin(), message.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f;
  }));
  a = sample_alert();
  a.sources = {"https://example.org/" + std::string(1000, 'a')};
  a.sources[0] += "\x01";
  CHECK(problem(a).size() < 200);  // long values are cut
}

// --- text is carried byte for byte --------------------------------------------------------------

TEST_CASE("text is never normalised: NFC and NFD stay distinct", "[alert][unicode]") {
  const std::string nfc = "Caf\xc3\xa9 Libert\xc3\xa9";    // U+00E9
  const std::string nfd = "Cafe\xcc\x81 Liberte\xcc\x81";  // e + U+0301
  Alert a = sample_alert(nfc);
  Alert b = sample_alert(nfd);
  a.original.body = nfd;
  b.original.body = nfc;
  Bytes ea = encode_alert(a);
  Bytes eb = encode_alert(b);
  CHECK(ea != eb);
  auto da = decode_alert(ea);
  auto db = decode_alert(eb);
  REQUIRE(da);
  REQUIRE(db);
  CHECK(da->original.title == nfc);
  CHECK(da->original.body == nfd);
  CHECK(db->original.title == nfd);
  CHECK(db->original.body == nfc);
}

TEST_CASE("Arabic text with bidi marks and joiners round-trips", "[alert][unicode]") {
  const std::string rlm = "\xe2\x80\x8f", lrm = "\xe2\x80\x8e", zwj = "\xe2\x80\x8d",
                    zwnj = "\xe2\x80\x8c", alm = "\xd8\x9c";
  Alert a = sample_alert();
  a.original = {"ar", "اعتقال صحفي" + rlm + " في 2024", "ملخص" + zwj + "قصير" + zwnj + alm + ".",
                "السطر الأول" + lrm + "IFEX" + rlm + "\nالسطر الثاني"};
  a.translations = {{"en", "Journalist arrested", "", ""}};
  a.country = "EG";
  REQUIRE(problem(a).empty());
  auto decoded = decode_alert(encode_alert(a));
  REQUIRE(decoded);
  CHECK(decoded->original == a.original);
  CHECK(decoded->original.title.find(rlm) != std::string::npos);
  CHECK(&text_in(*decoded, "ar") == &decoded->original);
  CHECK(text_in(*decoded, "en").title == "Journalist arrested");
  CHECK(&text_in(*decoded, "fr") == &decoded->original);  // no French: the original
}

// --- the UTF-8 validator ------------------------------------------------------------------------

TEST_CASE("utf8: boundaries of each sequence length", "[utf8]") {
  for (const char* good : {"", "plain ASCII", "\x7f", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80",
                           "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80",
                           "\xf4\x8f\xbf\xbf", "\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a"}) {
    INFO(to_hex(as_bytes(good)));
    CHECK(is_valid_utf8(good));
  }
  struct Bad {
    std::string text;
    std::size_t at;
  };
  const Bad bad[] = {{"\xc0\x80", 0},
                     {"\xc1\xbf", 0},
                     {"\xe0\x80\x80", 0},
                     {"\xe0\x9f\xbf", 0},
                     {"\xf0\x80\x80\x80", 0},
                     {"\xf0\x8f\xbf\xbf", 0},
                     {"\xed\xa0\x80", 0},
                     {"\xed\xbf\xbf", 0},
                     {"\xf4\x90\x80\x80", 0},
                     {"\xf5\x80\x80\x80", 0},
                     {"\xf8\x88\x80\x80\x80", 0},
                     {"\xfe", 0},
                     {"\xff", 0},
                     {"\x80", 0},
                     {"\xbf", 0},
                     {"ab\xe2\x82", 2},
                     {"ab\xe2", 2},
                     {"\xe2\x28\xa1", 0},
                     {"ok\xc3\xa9\xc3", 4},
                     {"\xf0\x9f\x98", 0},
                     {"x\xc2\xc2\x80", 1}};
  for (const auto& b : bad) {
    INFO(to_hex(as_bytes(b.text)));
    CHECK(first_invalid_utf8(b.text) == b.at);
  }
}

// Table 3-7 of the Unicode standard (well-formed UTF-8 byte sequences), written as ranges: an
// independent statement of what the validator must accept.
bool well_formed_by_table(const std::vector<std::uint8_t>& s) {
  struct Row {
    std::uint8_t lo[4], hi[4];
    int len;
  };
  static const Row rows[] = {
      {{0x00}, {0x7f}, 1},
      {{0xc2, 0x80}, {0xdf, 0xbf}, 2},
      {{0xe0, 0xa0, 0x80}, {0xe0, 0xbf, 0xbf}, 3},
      {{0xe1, 0x80, 0x80}, {0xec, 0xbf, 0xbf}, 3},
      {{0xed, 0x80, 0x80}, {0xed, 0x9f, 0xbf}, 3},
      {{0xee, 0x80, 0x80}, {0xef, 0xbf, 0xbf}, 3},
      {{0xf0, 0x90, 0x80, 0x80}, {0xf0, 0xbf, 0xbf, 0xbf}, 4},
      {{0xf1, 0x80, 0x80, 0x80}, {0xf3, 0xbf, 0xbf, 0xbf}, 4},
      {{0xf4, 0x80, 0x80, 0x80}, {0xf4, 0x8f, 0xbf, 0xbf}, 4},
  };
  std::size_t i = 0;
  while (i < s.size()) {
    const Row* match = nullptr;
    for (const auto& r : rows) {
      if (i + r.len > s.size()) continue;
      bool ok = true;
      for (int k = 0; k < r.len; ++k) ok = ok && s[i + k] >= r.lo[k] && s[i + k] <= r.hi[k];
      if (ok) match = &r;
    }
    if (!match) return false;
    i += match->len;
  }
  return true;
}

TEST_CASE("utf8: agrees with the Unicode table on every short sequence", "[utf8]") {
  std::size_t checked = 0, disagreements = 0;
  auto compare = [&](const std::vector<std::uint8_t>& s) {
    ++checked;
    if (is_valid_utf8(as_chars(s)) != well_formed_by_table(s)) ++disagreements;
  };
  // Every string of one and two bytes, every three-byte string led by a three-byte lead.
  for (int a = 0; a < 256; ++a) {
    compare({static_cast<std::uint8_t>(a)});
    for (int b = 0; b < 256; ++b) {
      compare({static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b)});
      if (a >= 0xe0 && a <= 0xef)
        for (int c = 0; c < 256; ++c)
          compare({static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b),
                   static_cast<std::uint8_t>(c)});
    }
  }
  // Four-byte leads (and the invalid leads after them) with every second byte and the edge
  // values of the continuation range in the last two.
  const std::uint8_t edges[] = {0x00, 0x7f, 0x80, 0x8f, 0x90, 0xbf, 0xc0, 0xff};
  for (int a = 0xf0; a < 0x100; ++a)
    for (int b = 0; b < 256; ++b)
      for (auto c : edges)
        for (auto d : edges)
          compare({static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b), c, d});
  INFO("checked " << checked << " strings");
  CHECK(disagreements == 0);
  CHECK(checked > 1'000'000);
}

// The decoder the validator, the Atom feed and the Arabic analysis share.

TEST_CASE("utf8: the decoder yields each code point and its length", "[utf8]") {
  struct Good {
    std::string text;
    char32_t code_point;
    std::size_t length;
  };
  const Good good[] = {{"A", U'A', 1},
                       {"\x7f", 0x7f, 1},
                       {"\xc2\x80", 0x80, 2},
                       {"\xdf\xbf", 0x7ff, 2},
                       {"\xe0\xa0\x80", 0x800, 3},
                       {"\xed\x9f\xbf", 0xd7ff, 3},  // just below the surrogates
                       {"\xee\x80\x80", 0xe000, 3},  // just above them
                       {"\xef\xbf\xbf", 0xffff, 3},
                       {"\xf0\x90\x80\x80", 0x10000, 4},
                       {"\xf4\x8f\xbf\xbf", 0x10ffff, 4},
                       {"\xd8\xb9", 0x0639, 2}};
  for (const auto& g : good) {
    INFO(to_hex(as_bytes(g.text)));
    const Utf8Step step = decode_utf8_at(g.text, 0);
    CHECK(step.valid);
    CHECK(step.code_point == g.code_point);
    CHECK(step.length == g.length);
  }
  // Decoding resumes where the previous sequence ended.
  const std::string mixed = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
  std::u32string decoded;
  for (std::size_t i = 0; i < mixed.size();) {
    const Utf8Step step = decode_utf8_at(mixed, i);
    REQUIRE(step.valid);
    decoded.push_back(step.code_point);
    i += step.length;
  }
  CHECK(decoded == U"a\u00e9\u20ac\U0001F600");
}

TEST_CASE("utf8: the decoder reports an invalid sequence as one byte", "[utf8]") {
  const std::string overlongs[] = {"\xc0\x80",     "\xc1\xbf",         "\xe0\x80\x80",
                                   "\xe0\x9f\xbf", "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf"};
  const std::string surrogates[] = {"\xed\xa0\x80", "\xed\xaf\xbf", "\xed\xb0\x80", "\xed\xbf\xbf"};
  const std::string above_max[] = {"\xf4\x90\x80\x80",     "\xf4\xbf\xbf\xbf",
                                   "\xf5\x80\x80\x80",     "\xf7\xbf\xbf\xbf",
                                   "\xf8\x88\x80\x80\x80", "\xfc\x84\x80\x80\x80\x80"};
  // Cut at the end of the text, or followed by an ASCII byte (\x41 is 'A').
  const std::string truncated[] = {"\xc3",         "\xe2\x82",     "\xe2",
                                   "\xf0\x9f\x98", "\xf0\x9f",     "\xf0",
                                   "\xc3\x41",     "\xe2\x82\x41", "\xf0\x9f\x98\x41"};
  const std::string stray[] = {"\x80", "\xbf", "\xfe", "\xff"};
  auto check_invalid = [](const std::string& text) {
    INFO(to_hex(as_bytes(text)));
    const Utf8Step step = decode_utf8_at(text, 0);
    CHECK_FALSE(step.valid);
    CHECK(step.length == 1);
    CHECK(first_invalid_utf8(text) == std::size_t{0});
  };
  for (const auto& t : overlongs) check_invalid(t);
  for (const auto& t : surrogates) check_invalid(t);
  for (const auto& t : above_max) check_invalid(t);
  for (const auto& t : truncated) check_invalid(t);
  for (const auto& t : stray) check_invalid(t);
  // A truncated sequence at the very end, after valid text.
  const std::string tail = "ok\xe2\x82";
  CHECK(decode_utf8_at(tail, 1).valid);
  CHECK_FALSE(decode_utf8_at(tail, 2).valid);
}

// An encoder written here, independently of the code under test: every scalar value encoded
// decodes back to itself, with the length RFC 3629 gives it.
std::string encode_for_test(char32_t cp) {
  std::string out;
  auto put = [&](unsigned v) { out += static_cast<char>(v); };
  if (cp < 0x80) {
    put(cp);
  } else if (cp < 0x800) {
    put(0xc0 | (cp >> 6)), put(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    put(0xe0 | (cp >> 12)), put(0x80 | ((cp >> 6) & 0x3f)), put(0x80 | (cp & 0x3f));
  } else {
    put(0xf0 | (cp >> 18)), put(0x80 | ((cp >> 12) & 0x3f)), put(0x80 | ((cp >> 6) & 0x3f)),
        put(0x80 | (cp & 0x3f));
  }
  return out;
}

TEST_CASE("utf8: the decoder round-trips every scalar value", "[utf8]") {
  std::size_t failures = 0;
  for (char32_t cp = 0; cp <= 0x10ffff; ++cp) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const std::string bytes = encode_for_test(cp);
    const Utf8Step step = decode_utf8_at(bytes, 0);
    if (!step.valid || step.code_point != cp || step.length != bytes.size()) ++failures;
  }
  CHECK(failures == 0);
  // The surrogates, encoded as if they were scalar values, are refused.
  for (char32_t cp = 0xd800; cp <= 0xdfff; ++cp)
    if (decode_utf8_at(encode_for_test(cp), 0).valid) ++failures;
  CHECK(failures == 0);
}

// --- vocabularies -------------------------------------------------------------------------------

TEST_CASE("the category taxonomy", "[taxonomy]") {
  auto categories = alert_categories();
  CHECK(categories.size() == 14);
  std::vector<std::string_view> sorted(categories.begin(), categories.end());
  std::sort(sorted.begin(), sorted.end());
  CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
  for (auto c : categories) {
    INFO(c);
    CHECK(is_slug(c));
    CHECK(is_known_category(c));
  }
  for (const char* named :
       {"press-freedom", "internet-censorship", "access-to-information", "criminal-defamation",
        "media-concentration", "attack-on-journalist", "impunity"})
    CHECK(is_known_category(named));
  CHECK_FALSE(is_known_category("Press-Freedom"));
  CHECK_FALSE(is_known_category(""));
}

TEST_CASE("docs/taxonomy.md describes exactly the categories in the code", "[taxonomy][doc]") {
  std::ifstream in(std::string(IFEX_SOURCE_DIR) + "/docs/taxonomy.md");
  REQUIRE(in);
  std::vector<std::string> documented;
  for (std::string line; std::getline(in, line);) {
    // Category rows look like: | `press-freedom` | definition |
    if (line.rfind("| `", 0) != 0) continue;
    auto end = line.find('`', 3);
    REQUIRE(end != std::string::npos);
    documented.push_back(line.substr(3, end - 3));
  }
  std::vector<std::string> in_code(alert_categories().begin(), alert_categories().end());
  CHECK(documented == in_code);  // same slugs, same (presentation) order
}

TEST_CASE("country and language codes", "[taxonomy]") {
  for (const char* c : {"FR", "JO", "MX", "XK", "ZW", "AD"}) CHECK(is_known_country(c));
  for (const char* c : {"fr", "ZZ", "UK", "EU", "FRA", "", "F"}) CHECK_FALSE(is_known_country(c));
  CHECK(is_country_syntax("ZZ"));
  CHECK_FALSE(is_country_syntax("Zz"));
  CHECK_FALSE(is_country_syntax("Z1"));
  for (const char* l : {"en", "fr", "es", "ar", "fa", "zh"}) CHECK(is_known_language(l));
  for (const char* l : {"EN", "xx", "eng", "", "e", "en-GB"}) CHECK_FALSE(is_known_language(l));
  CHECK(is_language_syntax("eng"));
  CHECK(is_language_syntax("xx"));
  CHECK_FALSE(is_language_syntax("en-GB"));
  CHECK_FALSE(is_language_syntax("e"));
  CHECK_FALSE(is_language_syntax("engl"));
}

TEST_CASE("slug syntax", "[taxonomy]") {
  for (const char* good : {"a", "a-b", "press-freedom", "2024", "x1-y2"}) CHECK(is_slug(good));
  CHECK(is_slug(std::string(64, 'z')));
  for (const char* bad : {"", "-", "-a", "a-", "a--b", "A", "a_b", "a b", "a.b"})
    CHECK_FALSE(is_slug(bad));
  CHECK_FALSE(is_slug(std::string(65, 'z')));
}

}  // namespace
}  // namespace ifex
