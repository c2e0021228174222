// The Atom renderer: every document is read back by tests/feed/check_atom.py (Python's expat
// parser plus RFC 4287's structural rules), and the text it reads must be the text we rendered.
#include <catch2/catch.hpp>

#include <boost/json.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "keys/identity.hpp"
#include "keys/key_text.hpp"
#include "node/codec/entry_json.hpp"
#include "node/feed/atom_feed.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace json = boost::json;
using namespace ifex;
using namespace std::string_literals;

namespace {

struct Checked {
  bool ok = false;
  std::string errors;  // the checker's complaints, one a line
  json::object digest;
};

// Runs check_atom.py on `xml`; `entries` is the count it must find.
Checked check_atom(const std::string& xml, std::size_t entries) {
  test::TempDir dir("feed");
  const auto file = dir / "feed.atom";
  {
    std::ofstream out(file, std::ios::binary);
    out << xml;
  }
  auto result = test::run_process({FEED_TEST_PYTHON, FEED_TEST_DIR "/check_atom.py", file.string(),
                                   "--entries", std::to_string(entries)});
  Checked checked;
  checked.ok = result.status.success();
  checked.errors = result.err;
  if (checked.ok) checked.digest = json::parse(result.out).as_object();
  return checked;
}

std::string str(const json::value& v) {
  if (v.is_null()) return "<null>";
  return std::string(v.as_string().data(), v.as_string().size());
}

Identity identity(std::uint8_t fill) {
  Bytes seed(Identity::seed_size, fill);
  return Identity::from_seed(seed);
}

// The payload is not decoded by the renderer, which takes the alert beside the entry; a hostile
// alert therefore needs no valid encoding. After seq 1 any non-zero prev will do.
FeedItem item(const Identity& author, std::uint64_t seq, std::uint64_t created_ms, Alert alert,
              std::string author_name = "") {
  Hash prev;
  if (seq > 1) prev.bytes.fill(0x5a);
  Bytes payload(as_bytes(alert.original.title).begin(), as_bytes(alert.original.title).end());
  SignedEntry entry =
      sign_entry(author, {author.public_key(), seq, prev, created_ms, EntryKind::alert, payload});
  return {std::move(entry), std::move(alert), std::move(author_name)};
}

AlertText text(std::string lang, std::string title, std::string summary, std::string body) {
  return {std::move(lang), std::move(title), std::move(summary), std::move(body)};
}

FeedInfo info(std::string lang) {
  return {"IFEX alerts — " + (lang.empty() ? std::string("all") : lang),
          "/feed.atom?lang=" + lang + "&country=TN",
          "http://node.example:7400/",
          "urn:ifexnode:feed:0123abcd",
          lang,
          1'700'000'300'000};
}

// Four alerts in en, fr, es and ar, with translations in some of the others.
std::vector<FeedItem> multilingual_items() {
  Identity writer = identity(1);
  Identity other = identity(2);
  std::vector<FeedItem> items;

  Alert en;
  en.original = text("en", "Journalist detained", "A reporter was arrested.", "Full story.");
  en.translations = {text("ar", "احتجاز صحفي", "اعتقل مراسل.", "القصة الكاملة."),
                     text("fr", "Journaliste détenu", "Un reporter a été arrêté.", "Récit.")};
  en.country = "TN";
  en.categories = {"arrest", "journalists"};
  en.event_date = "2023-11-10";
  items.push_back(item(writer, 1, 1'700'000'000'000, en, "Writer One"));

  Alert fr;
  fr.original = text("fr", "Radio fermée", "Une radio a été fermée.", "Corps.");
  fr.translations = {text("en", "Radio closed", "A radio was closed.", "Body."),
                     text("es", "Radio cerrada", "Una radio fue cerrada.", "Cuerpo.")};
  fr.country = "SN";
  fr.categories = {"censorship"};
  items.push_back(item(writer, 2, 1'700'000'060'000, fr, "Writer One"));

  Alert es;
  es.original = text("es", "Periodista amenazado", "Amenazas.", "");
  es.country = "MX";
  es.categories = {"threats"};
  es.event_date = "2023-10-01";
  items.push_back(item(other, 1, 1'700'000'120'000, es));

  Alert ar;
  ar.original =
      text("ar", "منع التجمع", "\u200fمنع تجمع سلمي.", "السطر الأول.\nالسطر\u200dالثاني.");
  ar.translations = {text("fr", "Rassemblement interdit", "", "")};
  ar.country = "EG";
  ar.categories = {"assembly"};
  items.push_back(item(other, 2, 1'700'000'180'000, ar));
  return items;
}

std::vector<std::string> terms(const json::value& entry, std::string_view scheme) {
  std::vector<std::string> out;
  for (const auto& c : entry.at("categories").as_array())
    if (str(c.at("scheme")) == scheme) out.push_back(str(c.at("term")));
  return out;
}

}  // namespace

TEST_CASE("an empty feed is a complete Atom document", "[atom]") {
  FeedInfo feed = info("");
  const std::string xml = render_atom_feed(feed, {});
  CHECK(xml.rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n", 0) == 0);
  auto checked = check_atom(xml, 0);
  REQUIRE(checked.errors == "");
  REQUIRE(checked.ok);
  const auto& f = checked.digest.at("feed");
  CHECK(str(f.at("id")) == "urn:ifexnode:feed:0123abcd");
  CHECK(str(f.at("title")) == "IFEX alerts — all");
  CHECK(str(f.at("updated")) == "2023-11-14T22:18:20.000Z");
  CHECK(str(f.at("generator")) == "ifexnode");
  const auto& links = f.at("links").as_array();
  REQUIRE(links.size() == 2);
  CHECK(str(links[0].at("rel")) == "self");
  CHECK(str(links[0].at("type")) == "application/atom+xml");
  CHECK(str(links[0].at("href")) == "/feed.atom?lang=&country=TN");
  CHECK(str(links[1].at("rel")) == "alternate");
  CHECK(str(links[1].at("type")) == "text/html");
  CHECK(str(links[1].at("href")) == "http://node.example:7400/");
}

TEST_CASE("entries carry ids, links, dates, authors and categories", "[atom]") {
  auto items = multilingual_items();
  auto checked = check_atom(render_atom_feed(info(""), items), items.size());
  REQUIRE(checked.errors == "");
  REQUIRE(checked.ok);
  const auto& entries = checked.digest.at("entries").as_array();
  REQUIRE(entries.size() == 4);
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& e = entries[i];
    const std::string hex = items[i].entry.id().hex();
    CHECK(str(e.at("id")) == "urn:ifexnode:entry:" + hex);
    CHECK(str(e.at("updated")) == iso8601_utc(items[i].entry.created_ms()));
    CHECK(str(e.at("published")) == iso8601_utc(items[i].entry.created_ms()));
    CHECK(str(e.at("author_uri")) ==
          "urn:ifexnode:key:" + public_key_to_text(items[i].entry.author()));
    const auto& links = e.at("links").as_array();
    REQUIRE(links.size() == 1);
    CHECK(str(links[0].at("rel")) == "alternate");
    CHECK(str(links[0].at("href")) == "http://node.example:7400/#/alert/" + hex);
    CHECK(terms(e, "urn:ifexnode:category") == items[i].alert.categories);
    CHECK(terms(e, "urn:iso:3166") == std::vector<std::string>{items[i].alert.country});
    CHECK(str(e.at("country")) == items[i].alert.country);
    CHECK(str(e.at("event_date")) == items[i].alert.event_date);
  }
  CHECK(str(entries[0].at("author_name")) == "Writer One");
  CHECK(str(entries[2].at("author_name")) == "ifexnode " + fingerprint(items[2].entry.author()));
  CHECK(str(entries[0].at("updated")) == "2023-11-14T22:13:20.000Z");
  // No content element for an empty body.
  CHECK(entries[2].at("content").is_null());
}

TEST_CASE("the feed's language picks each entry's title and summary", "[atom][lang]") {
  auto items = multilingual_items();

  struct Expect {
    std::string lang, title, title_lang, summary, summary_lang;
  };
  auto run = [&](const std::string& lang, const std::vector<Expect>& expect) {
    INFO("feed language '" << lang << "'");
    auto checked = check_atom(render_atom_feed(info(lang), items), items.size());
    REQUIRE(checked.errors == "");
    REQUIRE(checked.ok);
    const auto& entries = checked.digest.at("entries").as_array();
    REQUIRE(entries.size() == expect.size());
    for (std::size_t i = 0; i < expect.size(); ++i) {
      INFO("entry " << i);
      const auto& e = entries[i];
      CHECK(str(e.at("lang")) == expect[i].lang);
      CHECK(str(e.at("title").at("text")) == expect[i].title);
      CHECK(str(e.at("title").at("lang")) == expect[i].title_lang);
      CHECK(str(e.at("title").at("type")) == "text");
      CHECK(str(e.at("summary").at("text")) == expect[i].summary);
      CHECK(str(e.at("summary").at("lang")) == expect[i].summary_lang);
    }
  };

  run("", {{"en", "Journalist detained", "en", "A reporter was arrested.", "en"},
           {"fr", "Radio fermée", "fr", "Une radio a été fermée.", "fr"},
           {"es", "Periodista amenazado", "es", "Amenazas.", "es"},
           {"ar", "منع التجمع", "ar", "\u200fمنع تجمع سلمي.", "ar"}});
  // The French translation of the Arabic alert has no summary: the original's is shown, in ar.
  run("fr", {{"fr", "Journaliste détenu", "fr", "Un reporter a été arrêté.", "fr"},
             {"fr", "Radio fermée", "fr", "Une radio a été fermée.", "fr"},
             {"es", "Periodista amenazado", "es", "Amenazas.", "es"},
             {"fr", "Rassemblement interdit", "fr", "\u200fمنع تجمع سلمي.", "ar"}});
  run("es", {{"en", "Journalist detained", "en", "A reporter was arrested.", "en"},
             {"es", "Radio cerrada", "es", "Una radio fue cerrada.", "es"},
             {"es", "Periodista amenazado", "es", "Amenazas.", "es"},
             {"ar", "منع التجمع", "ar", "\u200fمنع تجمع سلمي.", "ar"}});
  run("ar", {{"ar", "احتجاز صحفي", "ar", "اعتقل مراسل.", "ar"},
             {"fr", "Radio fermée", "fr", "Une radio a été fermée.", "fr"},
             {"es", "Periodista amenazado", "es", "Amenazas.", "es"},
             {"ar", "منع التجمع", "ar", "\u200fمنع تجمع سلمي.", "ar"}});
  run("en", {{"en", "Journalist detained", "en", "A reporter was arrested.", "en"},
             {"en", "Radio closed", "en", "A radio was closed.", "en"},
             {"es", "Periodista amenazado", "es", "Amenazas.", "es"},
             {"ar", "منع التجمع", "ar", "\u200fمنع تجمع سلمي.", "ar"}});

  // Bodies follow the same rule, and keep their line breaks and joiners.
  auto checked = check_atom(render_atom_feed(info("fr"), items), items.size());
  REQUIRE(checked.ok);
  const auto& entries = checked.digest.at("entries").as_array();
  CHECK(str(entries[0].at("content").at("text")) == "Récit.");
  CHECK(str(entries[0].at("content").at("type")) == "text");
  CHECK(str(entries[3].at("content").at("text")) == "السطر الأول.\nالسطر\u200dالثاني.");
  CHECK(str(entries[3].at("content").at("lang")) == "ar");
}

TEST_CASE("hostile text stays well-formed and reads back", "[atom][escape]") {
  // Markup, entity look-alikes, CDATA ends, both quotes, an RLO override, CR/LF/TAB.
  const std::string markup =
      "<script>alert(\"x\")</script> ]]> &amp; &#65; 'q' \xE2\x80\xAE"
      "txet\r\n\tend";
  // C0 controls, U+FFFE and U+FFFF are dropped; invalid UTF-8 becomes U+FFFD, one per byte:
  // an overlong '/', an encoded surrogate, a stray 0xFF, a truncated euro sign.
  const std::string forbidden =
      "a\x01"
      "b\x0B"
      "c\x1F"
      "d\x7F"
      "e\xEF\xBF\xBE"
      "f\xEF\xBF\xBF"
      "g\0h"s;
  const std::string forbidden_read =
      "abcd\x7F"
      "efgh";
  const std::string invalid =
      "1\xC0\xAF"
      "2\xED\xA0\x80"
      "3\xFF"
      "4\xE2\x82"
      "5";
  const std::string fffd = "\xEF\xBF\xBD";
  const std::string invalid_read =
      "1" + fffd + fffd + "2" + fffd + fffd + fffd + "3" + fffd + "4" + fffd + fffd + "5";

  Alert alert;
  alert.original = text("fr\" onload=\"x", markup + forbidden, invalid, markup);
  alert.translations = {text("en", "English <b>title</b>", "", "")};
  alert.country = "T<N";
  alert.categories = {"a&b", "\"quoted\"", "x'y"};
  alert.tags = {"<tag>"};
  alert.sources = {"http://example.org/?a=1&b=\"2\""};
  alert.event_date = "2023-<01>-02";

  FeedInfo feed = info("");
  feed.title = "Feed ]]> <title> & " + invalid;
  feed.self_url = "/feed.atom?q=\"a\"&lang='fr'";
  feed.site_url = "http://h/?x=<1>#old";
  feed.feed_id = "urn:x:&";
  feed.updated_ms = ~std::uint64_t{0};  // far beyond year 9999

  Identity writer = identity(3);
  std::vector<FeedItem> items = {
      item(writer, 1, ~std::uint64_t{0}, alert, "Name & <co> " + invalid)};

  const std::string xml = render_atom_feed(feed, items);
  CHECK(xml.find("<script>") == std::string::npos);
  CHECK(xml.find("&lt;script&gt;") != std::string::npos);
  CHECK(xml.find("\xE2\x80\xAE") != std::string::npos);  // bidi controls are legal XML, kept

  auto checked = check_atom(xml, 1);
  REQUIRE(checked.errors == "");
  REQUIRE(checked.ok);
  const auto& f = checked.digest.at("feed");
  CHECK(str(f.at("title")) == "Feed ]]> <title> & " + invalid_read);
  CHECK(str(f.at("id")) == "urn:x:&");
  CHECK(str(f.at("updated")) == "9999-12-31T23:59:59.999Z");
  CHECK(str(f.at("links").at(0).at("href")) == "/feed.atom?q=\"a\"&lang='fr'");

  const auto& e = checked.digest.at("entries").at(0);
  CHECK(str(e.at("lang")) == "fr\" onload=\"x");
  CHECK(str(e.at("title").at("text")) == markup + forbidden_read);
  CHECK(str(e.at("summary").at("text")) == invalid_read);
  CHECK(str(e.at("content").at("text")) == markup);
  CHECK(str(e.at("author_name")) == "Name & <co> " + invalid_read);
  CHECK(str(e.at("updated")) == "9999-12-31T23:59:59.999Z");
  CHECK(terms(e, "urn:ifexnode:category") == alert.categories);
  CHECK(terms(e, "urn:ifexnode:tag") == alert.tags);
  CHECK(terms(e, "urn:iso:3166") == std::vector<std::string>{"T<N"});
  CHECK(str(e.at("event_date")) == "2023-<01>-02");
  const auto& links = e.at("links").as_array();
  REQUIRE(links.size() == 2);
  CHECK(str(links[0].at("href")) == "http://h/?x=<1>#/alert/" + items[0].entry.id().hex());
  CHECK(str(links[1].at("rel")) == "related");
  CHECK(str(links[1].at("href")) == alert.sources[0]);

  // The same alert shown in English: only the title is translated.
  auto english = check_atom(render_atom_feed(info("en"), items), 1);
  REQUIRE(english.ok);
  const auto& en = english.digest.at("entries").at(0);
  CHECK(str(en.at("title").at("text")) == "English <b>title</b>");
  CHECK(str(en.at("title").at("lang")) == "en");
  CHECK(str(en.at("summary").at("lang")) == "fr\" onload=\"x");
}

TEST_CASE("the checker rejects what is not a valid feed", "[atom][checker]") {
  const std::string head = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
  const std::string good_feed_children =
      "<id>urn:f</id><title>t</title><updated>2024-01-01T00:00:00Z</updated>"
      "<link rel=\"self\" href=\"/f\"/><author><name>n</name></author>";
  const std::string entry_body =
      "<title xml:lang=\"en\">t</title><updated>2024-01-01T00:00:00Z</updated>"
      "<link rel=\"alternate\" href=\"/a\"/><category term=\"c\"/>";
  const std::string id1 = "<id>urn:ifexnode:entry:" + std::string(64, 'a') + "</id>";
  const std::string id2 = "<id>urn:ifexnode:entry:" + std::string(64, 'b') + "</id>";
  auto feed = [&](const std::string& entries, const std::string& ns) {
    return head + "<feed xmlns=\"" + ns + "\">" + good_feed_children + entries + "</feed>";
  };
  const std::string atom = "http://www.w3.org/2005/Atom";
  const std::string entry1 = "<entry xml:lang=\"en\">" + id1 + entry_body + "</entry>";
  const std::string entry2 = "<entry xml:lang=\"en\">" + id2 + entry_body + "</entry>";

  // The baseline passes, so each failure below is down to its one defect.
  CHECK(check_atom(feed(entry1 + entry2, atom), 2).ok);
  CHECK_FALSE(check_atom(feed(entry1 + entry2, atom), 3).ok);
  CHECK_FALSE(check_atom(feed(entry1 + entry1, atom), 2).ok);  // duplicate id
  CHECK_FALSE(check_atom(feed(entry1, "http://purl.org/atom/ns#"), 1).ok);
  CHECK_FALSE(check_atom(feed("<entry>" + id1 + entry_body + "</entry>", atom), 1).ok);
  CHECK_FALSE(check_atom(feed("<entry xml:lang=\"en\">" + id1 + "</entry>", atom), 1).ok);
  CHECK_FALSE(check_atom(feed(entry1 + "<!-- ]]> < -->x<y", atom), 1).ok);  // not well-formed
  CHECK_FALSE(check_atom(feed(entry1 + "\x01", atom), 1).ok);               // control char
  CHECK_FALSE(check_atom(feed(entry1 + "\xC0\xAF", atom), 1).ok);           // invalid UTF-8
  CHECK_FALSE(check_atom(feed("<entry xml:lang=\"en\">" + id1 + entry_body +
                                  "<category term=\"\"/></entry>",
                              atom),
                         1)
                  .ok);
}
