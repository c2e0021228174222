// The page's interface catalogues (node/web/i18n/*.json), read from the embedded assets as the
// browser gets them: every language has exactly the keys English has, of the same kind and with
// the same {placeholders}; every key the page uses (t/tp/tn('key') in app.js, data-i18n* in
// index.html) is in them, and none is left unused; the category names follow the taxonomy.
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <map>
#include <regex>
#include <set>
#include <string>

#include "node/web/web_assets.hpp"
#include "protocol/taxonomy.hpp"

namespace ifex {

namespace {

namespace json = boost::json;

constexpr const char* kLanguages[] = {"en", "fr", "es", "ar"};
const std::set<std::string> kPluralForms = {"zero", "one", "two", "few", "many", "other"};
constexpr std::string_view kCategoryPrefix = "category.";

std::string_view asset_body(std::string_view path) {
  const WebAsset* asset = find_web_asset(path);
  REQUIRE(asset != nullptr);
  return asset->body;
}

json::object catalogue(std::string_view lang) {
  const std::string path = "/i18n/" + std::string(lang) + ".json";
  INFO(path);
  const WebAsset* asset = find_web_asset(path);
  REQUIRE(asset != nullptr);
  CHECK(asset->content_type == "application/json");
  boost::system::error_code ec;
  json::value v = json::parse(asset->body, ec);
  REQUIRE(!ec);
  REQUIRE(v.is_object());
  return v.as_object();
}

std::set<std::string> placeholders_in(std::string_view text) {
  static const std::regex pattern(R"(\{(\w+)\})");
  std::set<std::string> out;
  const std::string s(text);
  for (auto it = std::sregex_iterator(s.begin(), s.end(), pattern); it != std::sregex_iterator();
       ++it)
    out.insert((*it)[1].str());
  return out;
}

// All placeholders of a message: a string's, or the union over a plural message's forms.
std::set<std::string> placeholders_of(const json::value& message) {
  if (message.is_string()) return placeholders_in(message.as_string());
  std::set<std::string> out;
  for (const auto& form : message.as_object()) out.merge(placeholders_in(form.value().as_string()));
  return out;
}

// A message is a string, or plural forms (Intl.PluralRules categories) that include "other".
bool well_formed(const json::value& message) {
  if (message.is_string()) return true;
  if (!message.is_object()) return false;
  const json::object& forms = message.as_object();
  if (!forms.contains("other")) return false;
  for (const auto& form : forms) {
    if (!kPluralForms.contains(std::string(form.key())) || !form.value().is_string()) return false;
  }
  return true;
}

struct Uses {
  std::set<std::string> keys;
  std::vector<std::string> non_literal;  // calls whose key a test cannot read
};

// t('key'), tp('key', n), tn('key', {...}) in app.js. i18n.t(...) is the one lookup by a built
// key (the category names), checked against the taxonomy instead.
Uses keys_used_by_script(std::string_view script) {
  static const std::regex call(R"((^|[^\w.$])(t|tp|tn)\(\s*('([^'\\]*)'|[^'\s]))");
  Uses uses;
  const std::string s(script);
  for (auto it = std::sregex_iterator(s.begin(), s.end(), call); it != std::sregex_iterator();
       ++it) {
    if ((*it)[4].matched)
      uses.keys.insert((*it)[4].str());
    else
      uses.non_literal.push_back(s.substr(static_cast<size_t>(it->position(0)), 60));
  }
  return uses;
}

std::set<std::string> keys_used_by_page(std::string_view html) {
  static const std::regex attr(R"re(data-i18n(-[a-z-]+)?="([^"]*)")re");
  std::set<std::string> out;
  const std::string s(html);
  for (auto it = std::sregex_iterator(s.begin(), s.end(), attr); it != std::sregex_iterator(); ++it)
    out.insert((*it)[2].str());
  return out;
}

std::string key_of(const json::object::value_type& entry) {
  return std::string(entry.key());
}

}  // namespace

TEST_CASE("web i18n: every catalogue has exactly the keys of the English one, of the same kind") {
  const json::object en = catalogue("en");
  REQUIRE(en.size() > 100);
  for (const char* lang : kLanguages) {
    INFO("catalogue " << lang);
    const json::object other = catalogue(lang);
    for (const auto& entry : en) {
      INFO("key " << key_of(entry));
      CHECK(other.contains(entry.key()));  // missing in this catalogue
    }
    for (const auto& entry : other) {
      const std::string key = key_of(entry);
      INFO("key " << key);
      REQUIRE(en.contains(entry.key()));  // in this catalogue only
      const json::value& message = entry.value();
      const json::value& english = en.at(entry.key());
      CHECK(well_formed(message));
      if (!well_formed(message)) continue;
      CHECK(message.is_string() == english.is_string());  // plural in one, not the other
      if (message.is_string() && english.is_string()) {
        CHECK(!message.as_string().empty());
        CHECK(placeholders_of(message) == placeholders_of(english));
      } else {
        // A plural form may leave the number out ("one alert"), never add a placeholder.
        std::set<std::string> allowed = placeholders_of(english);
        allowed.insert("n");
        for (const std::string& p : placeholders_of(message)) {
          INFO("placeholder {" << p << "}");
          CHECK(allowed.contains(p));
        }
      }
    }
  }
}

TEST_CASE("web i18n: every key the page uses is in the catalogues, and every key is used") {
  const json::object en = catalogue("en");
  Uses script = keys_used_by_script(asset_body("/app.js"));
  // The timeline view's own script (timeline.js) writes its keys out the same way.
  Uses timeline = keys_used_by_script(asset_body("/timeline.js"));
  script.keys.merge(timeline.keys);
  script.non_literal.insert(script.non_literal.end(), timeline.non_literal.begin(),
                            timeline.non_literal.end());
  const std::set<std::string> page = keys_used_by_page(asset_body("/index.html"));
  CHECK(script.keys.size() > 100);
  CHECK(page.size() > 10);
  for (const std::string& call : script.non_literal) {
    INFO("app.js: a key that is not written out: " << call);
    CHECK(false);
  }
  for (const std::string& key : script.keys) {
    INFO("app.js uses " << key);
    CHECK(en.contains(key));
  }
  for (const std::string& key : page) {
    INFO("index.html uses " << key);
    CHECK(en.contains(key));
  }
  for (const auto& entry : en) {
    const std::string key = key_of(entry);
    if (key.starts_with(kCategoryPrefix)) continue;
    INFO("unused key " << key);
    CHECK((script.keys.contains(key) || page.contains(key)));
  }
}

// The node publishes with the taxonomy's categories (GET /api/categories); the catalogues name
// each of them, the English names are the node's own labels, and there is no other category.
TEST_CASE("web i18n: the category names are the taxonomy's, in every catalogue") {
  const json::object en = catalogue("en");
  std::set<std::string> slugs;
  for (const CategoryName& c : category_names()) {
    const std::string key = std::string(kCategoryPrefix) + std::string(c.slug);
    slugs.insert(key);
    INFO(key);
    REQUIRE(en.contains(key));
    CHECK(en.at(key).is_string());
    if (en.at(key).is_string()) CHECK(std::string_view(en.at(key).as_string()) == c.label);
  }
  for (const auto& entry : en) {
    const std::string key = key_of(entry);
    if (!key.starts_with(kCategoryPrefix)) continue;
    INFO(key);
    CHECK(slugs.contains(key));
  }
}

TEST_CASE("web i18n: the page offers each catalogue's language and loads the language code first") {
  const std::string_view html = asset_body("/index.html");
  for (const char* lang : kLanguages) {
    INFO(lang);
    CHECK(html.find("<option value=\"" + std::string(lang) + "\" lang=\"" + std::string(lang) +
                    "\"") != std::string_view::npos);
  }
  const size_t i18n = html.find("<script src=\"/i18n.js\" defer>");
  const size_t app = html.find("<script src=\"/app.js\" defer>");
  REQUIRE(i18n != std::string_view::npos);
  REQUIRE(app != std::string_view::npos);
  CHECK(i18n < app);
  const WebAsset* script = find_web_asset("/i18n.js");
  REQUIRE(script != nullptr);
  CHECK(script->content_type == "text/javascript; charset=utf-8");
}

}  // namespace ifex
