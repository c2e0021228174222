#include "node/codec/archive_filters.hpp"

#include <cctype>

#include "keys/key_text.hpp"
#include "node/codec/entry_json.hpp"
#include "protocol/alert.hpp"
#include "protocol/taxonomy.hpp"

namespace ifex {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Status bad(std::string_view name, std::string message) {
  return make_error("bad_parameter", "parameter '" + std::string(name) + "': " + message);
}

}  // namespace

bool is_filter_name(std::string_view name) {
  return name == "lang" || name == "country" || name == "category" || name == "author" ||
         name == "from" || name == "to";
}

Status set_filter(AlertFilters& filters, std::string_view name, std::string_view value) {
  if (name == "lang") {
    auto v = lower(value);
    if (!is_language_syntax(v)) return bad(name, "expected an ISO 639-1 code such as en, fr, es, ar");
    filters.lang = v;
  } else if (name == "country") {
    auto v = upper(value);
    if (!is_country_syntax(v)) return bad(name, "expected an ISO 3166-1 alpha-2 code such as TN");
    filters.country = v;
  } else if (name == "category") {
    auto v = lower(value);
    if (!is_slug(v)) return bad(name, "expected a category slug such as internet-shutdown");
    filters.category = v;
  } else if (name == "author") {
    auto key = public_key_from_text(value);
    if (!key) return bad(name, key.error().message);
    filters.author = *key;
  } else if (name == "from" || name == "to") {
    if (!is_valid_date(value)) return bad(name, "expected a date YYYY-MM-DD");
    (name == "from" ? filters.from_date : filters.to_date) = std::string(value);
    if (!filters.from_date.empty() && !filters.to_date.empty() &&
        filters.from_date > filters.to_date)
      return bad(name, "'from' is after 'to'");
  } else {
    return bad(name, "unknown filter (known: lang, country, category, author, from, to)");
  }
  return Status::success();
}

std::string alert_date(const std::string& event_date, std::uint64_t created_ms) {
  if (!event_date.empty()) return event_date;
  return iso8601_utc(created_ms).substr(0, 10);
}

}  // namespace ifex
