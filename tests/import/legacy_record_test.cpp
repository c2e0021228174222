// The legacy-archive line parser: the mapping of each field, extra fields ignored, and a reason
// naming the field for every kind of bad line. Pure: no I/O.
#include "node/import/legacy_record.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <functional>

namespace ifex {
namespace {

namespace json = boost::json;

json::object full_record() {
  return {{"legacy_id", "ifex-1998-00412"},
          {"date", "1998-05-14"},
          {"country", "TN"},
          {"lang", "fr"},
          {"categories", json::array{"press-freedom", "censorship"}},
          {"title", "Saisie d'un hebdomadaire"},
          {"summary", "Le tirage a été saisi."},
          {"body", "Le tirage complet a été saisi chez l'imprimeur."},
          {"translations",
           json::object{{"en", json::object{{"title", "Weekly seized"},
                                            {"summary", "The print run was seized."},
                                            {"body", "The whole print run was seized."}}},
                        {"ar", json::object{{"title", "مصادرة أسبوعية"}}}}},
          {"sources", json::array{"https://example.org/a/1"}},
          {"tags", json::array{"tmg"}}};
}

std::string line_of(const json::object& record) {
  return json::serialize(record);
}

Result<Alert> parse(const json::object& record) {
  return parse_legacy_record(line_of(record));
}

TEST_CASE("a legacy record becomes a signable alert with its date, id and translations",
          "[import][legacy]") {
  auto alert = parse(full_record());
  INFO((alert ? "" : alert.error().message));
  REQUIRE(alert);
  CHECK(alert->legacy_id == "ifex-1998-00412");
  CHECK(alert->event_date == "1998-05-14");
  CHECK(alert->country == "TN");
  CHECK(alert->original == AlertText{"fr", "Saisie d'un hebdomadaire", "Le tirage a été saisi.",
                                     "Le tirage complet a été saisi chez l'imprimeur."});
  REQUIRE(alert->translations.size() == 2);
  CHECK(alert->translations[0] == AlertText{"ar", "مصادرة أسبوعية", "", ""});
  CHECK(alert->translations[1] == AlertText{"en", "Weekly seized", "The print run was seized.",
                                            "The whole print run was seized."});
  CHECK(alert->categories == std::vector<std::string>{"censorship", "press-freedom"});
  CHECK(alert->sources == std::vector<std::string>{"https://example.org/a/1"});
  CHECK(alert->tags == std::vector<std::string>{"legacy-archive", "tmg"});
  CHECK(validate_alert(*alert, Vocabulary::known_only));
  // Canonical already: what is signed decodes back to the same alert.
  auto decoded = decode_alert(encode_alert(*alert));
  REQUIRE(decoded);
  CHECK(*decoded == *alert);
}

TEST_CASE("fields beyond the known ones are ignored, optional ones may be absent or null",
          "[import][legacy]") {
  json::object record = full_record();
  record["editor"] = json::object{{"name", "X"}, {"desk", 7}};
  record["legacy_score"] = 3.5;
  record["Title"] = 12;
  record["translations"].as_object()["en"].as_object()["reviewed_by"] = json::array{1, 2};
  auto with_extras = parse(record);
  INFO((with_extras ? "" : with_extras.error().message));
  REQUIRE(with_extras);
  CHECK(*with_extras == *parse(full_record()));

  json::object minimal = full_record();
  minimal.erase("translations");
  minimal.erase("sources");
  minimal["tags"] = nullptr;
  minimal["summary"] = nullptr;
  minimal.erase("body");
  auto alert = parse(minimal);
  INFO((alert ? "" : alert.error().message));
  REQUIRE(alert);
  CHECK(alert->translations.empty());
  CHECK(alert->sources.empty());
  CHECK(alert->original.summary.empty());
  CHECK(alert->original.body.empty());
  CHECK(alert->tags == std::vector<std::string>{"legacy-archive"});

  json::object tagged = full_record();
  tagged["tags"] = json::array{"legacy-archive"};
  CHECK(parse(tagged)->tags == std::vector<std::string>{"legacy-archive"});
}

struct BadCase {
  const char* what;
  std::function<void(json::object&)> mutate;
  const char* code;
  const char* reason_starts;  // the field, as the archive names it
};

TEST_CASE("every kind of bad record gives a reason that names the field", "[import][legacy]") {
  const std::string long_body(AlertLimits{}.max_body_bytes + 1, 'x');
  const std::vector<BadCase> cases{
      {"no legacy_id", [](auto& r) { r.erase("legacy_id"); }, "missing_field",
       "legacy_id: missing"},
      {"numeric legacy_id", [](auto& r) { r["legacy_id"] = 412; }, "wrong_type",
       "legacy_id: must be a string"},
      {"empty legacy_id", [](auto& r) { r["legacy_id"] = ""; }, "invalid_field", "legacy_id:"},
      {"legacy_id with a space", [](auto& r) { r["legacy_id"] = "ifex 1"; }, "invalid_field",
       "legacy_id:"},
      {"no date", [](auto& r) { r.erase("date"); }, "missing_field", "date: missing"},
      {"null date", [](auto& r) { r["date"] = nullptr; }, "missing_field", "date: missing"},
      {"impossible date", [](auto& r) { r["date"] = "1998-02-30"; }, "invalid_field", "date:"},
      {"non-ISO date", [](auto& r) { r["date"] = "14/05/1998"; }, "invalid_field", "date:"},
      {"no country", [](auto& r) { r.erase("country"); }, "missing_field", "country: missing"},
      {"unknown country", [](auto& r) { r["country"] = "ZZ"; }, "invalid_field", "country:"},
      {"lowercase country", [](auto& r) { r["country"] = "tn"; }, "invalid_field", "country:"},
      {"no lang", [](auto& r) { r.erase("lang"); }, "missing_field", "lang: missing"},
      {"unknown lang", [](auto& r) { r["lang"] = "zz"; }, "invalid_field", "lang:"},
      {"no categories", [](auto& r) { r.erase("categories"); }, "missing_field",
       "categories: missing"},
      {"empty categories", [](auto& r) { r["categories"] = json::array{}; }, "invalid_field",
       "categories:"},
      {"categories as a string", [](auto& r) { r["categories"] = "impunity"; }, "wrong_type",
       "categories: must be an array"},
      {"numeric category", [](auto& r) { r["categories"] = json::array{1}; }, "wrong_type",
       "categories: must be an array"},
      {"unknown category", [](auto& r) { r["categories"] = json::array{"press-fredom"}; },
       "invalid_field", "categories:"},
      {"no title", [](auto& r) { r.erase("title"); }, "missing_field", "title: missing"},
      {"empty title", [](auto& r) { r["title"] = ""; }, "invalid_field",
       "title: must not be empty"},
      {"title with a line break", [](auto& r) { r["title"] = "a\nb"; }, "invalid_field", "title:"},
      {"control character", [](auto& r) { r["summary"] = "bell\a"; }, "invalid_field", "summary:"},
      {"numeric body", [](auto& r) { r["body"] = 5; }, "wrong_type", "body: must be a string"},
      {"too long body", [&](auto& r) { r["body"] = long_body; }, "invalid_field", "body: is"},
      {"translations as a list", [](auto& r) { r["translations"] = json::array{}; }, "wrong_type",
       "translations: must be an object"},
      {"translation as a string", [](auto& r) { r["translations"].as_object()["en"] = "x"; },
       "wrong_type", "translations.en: must be an object"},
      {"translation without title",
       [](auto& r) { r["translations"].as_object()["en"].as_object().erase("title"); },
       "missing_field", "translations.en.title: missing"},
      {"translation in an unknown language",
       [](auto& r) {
         r["translations"].as_object()["zz"] = json::object{{"title", "t"}};
       },
       "invalid_field", "translations.zz"},
      {"translation in the original's language",
       [](auto& r) {
         r["translations"].as_object()["fr"] = json::object{{"title", "t"}};
       },
       "invalid_field", "translations.fr"},
      {"too long translated body",
       [&](auto& r) { r["translations"].as_object()["en"].as_object()["body"] = long_body; },
       "invalid_field", "translations.en.body: is"},
      {"source not a URL", [](auto& r) { r["sources"] = json::array{"example.org/a"}; },
       "invalid_field", "sources:"},
      {"sources as a string", [](auto& r) { r["sources"] = "https://example.org"; }, "wrong_type",
       "sources: must be an array"},
      {"tag not a slug", [](auto& r) { r["tags"] = json::array{"Press Freedom"}; }, "invalid_field",
       "tags:"},
  };
  for (const BadCase& c : cases) {
    json::object record = full_record();
    c.mutate(record);
    auto result = parse(record);
    INFO(c.what);
    REQUIRE_FALSE(result);
    CHECK(result.error().code == c.code);
    CHECK_THAT(result.error().message, Catch::StartsWith(c.reason_starts));
  }
}

TEST_CASE("lines that are not a JSON object, or not UTF-8, are refused with a reason",
          "[import][legacy]") {
  auto refused = [](std::string_view line, const std::string& code, const std::string& starts) {
    auto r = parse_legacy_record(line);
    INFO(std::string(line.substr(0, 60)));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == code);
    CHECK_THAT(r.error().message, Catch::StartsWith(starts));
  };
  refused("{\"legacy_id\": \"a\",", "invalid_json", "not valid JSON");
  refused("{\"legacy_id\": \"a\"} trailing", "invalid_json", "not valid JSON");
  refused("not json at all", "invalid_json", "not valid JSON");
  refused("", "invalid_json", "not valid JSON");
  refused("[1, 2]", "not_an_object", "the line is not a JSON object");
  refused("\"a string\"", "not_an_object", "the line is not a JSON object");

  // Raw invalid UTF-8 inside a string: the reason names the field it is in.
  std::string line = line_of(full_record());
  const std::string title = "Saisie d'un hebdomadaire";
  line.replace(line.find(title), title.size(), "Saisie \xff\xfe d'un hebdomadaire");
  refused(line, "invalid_field", "title: invalid UTF-8");

  std::string in_translation = line_of(full_record());
  const std::string summary = "The print run was seized.";
  in_translation.replace(in_translation.find(summary), summary.size(), "The print \xc3 run");
  refused(in_translation, "invalid_field", "translations.en.summary: invalid UTF-8");
}

TEST_CASE("a key given twice in one object is refused, never last-wins", "[import][legacy]") {
  auto refused_for = [](std::string line, const std::string& key) {
    auto r = parse_legacy_record(line);
    INFO(line.substr(0, 120));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "duplicate_key");
    CHECK(r.error().message == "the key '" + key + "' is given twice in one object");
  };
  const std::string line = line_of(full_record());
  REQUIRE(parse_legacy_record(line));
  // The serialized record starts with {"legacy_id":...; a second title right after the brace.
  std::string twice = line;
  twice.insert(1, "\"title\":\"What gets signed\",");
  refused_for(twice, "title");
  std::string in_translation = line;
  const std::string en = "\"en\":{";
  in_translation.insert(in_translation.find(en) + en.size(), "\"body\":\"other\",");
  refused_for(in_translation, "body");
  std::string language_twice = line;
  const std::string translations = "\"translations\":{";
  language_twice.insert(language_twice.find(translations) + translations.size(),
                        "\"en\":{\"title\":\"x\"},");
  refused_for(language_twice, "en");
  // With bad UTF-8 elsewhere in the line, the duplicate is still found.
  std::string both = twice;
  const std::string title = "Saisie d'un hebdomadaire";
  both.replace(both.find(title), title.size(), "Saisie \xff d'un hebdomadaire");
  refused_for(both, "title");
  // Equal keys in different objects are not duplicates.
  json::object same_keys = full_record();
  same_keys["translations"].as_object()["es"] = json::object{{"title", "Semanario incautado"}};
  CHECK(parse(same_keys));
}

TEST_CASE("reasons never carry raw control bytes from the line", "[import][legacy]") {
  json::object record = full_record();
  record["country"] = "\x1b[2J";
  auto r = parse(record);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::StartsWith("country:"));
  CHECK(r.error().message.find('\x1b') == std::string::npos);
}

}  // namespace
}  // namespace ifex
