#include "node/search/stemmers.hpp"

#include <string>

#include "node/search/arabic_analysis.hpp"

namespace ifex {

namespace {

// Snowball's name for the languages that get one; nullptr for the others.
const char* snowball_name(std::string_view lang) {
  if (lang == "en") return "english";
  if (lang == "fr") return "french";
  if (lang == "es") return "spanish";
  return nullptr;
}

class ScriptAwareStem final : public Xapian::StemImplementation {
 public:
  explicit ScriptAwareStem(std::string_view lang) : lang_(lang) {
    if (const char* name = snowball_name(lang)) other_ = Xapian::Stem(name);
  }

  std::string operator()(const std::string& word) override {
    if (is_arabic_word(word)) return arabic_light_stem(word);
    return other_.is_none() ? word : other_(word);
  }

  std::string get_description() const override { return "ifex_stem(" + lang_ + ")"; }

 private:
  std::string lang_;
  Xapian::Stem other_;  // none: words are left as they are
};

}  // namespace

Xapian::Stem stemmer_for(std::string_view lang) {
  // The Xapian::Stem takes ownership (reference counted).
  return Xapian::Stem(new ScriptAwareStem(snowball_name(lang) ? lang : std::string_view()));
}

const std::vector<std::string_view>& default_query_languages() {
  static const std::vector<std::string_view> languages = {"en", "fr", "es", ""};
  return languages;
}

}  // namespace ifex
