#include "protocol/alert.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "protocol/canonical.hpp"
#include "protocol/taxonomy.hpp"
#include "protocol/utf8.hpp"

namespace ifex {

namespace {

Error field_error(const std::string& field, const std::string& rule) {
  return make_error("invalid_alert", field + ": " + rule);
}

// Values shown in messages come from the network and end up in logs and terminals: printable
// ASCII passes, every other byte is spelled \xNN, so a value cannot forge a log line or send
// terminal controls. Long values are cut.
std::string escaped(std::string_view value) {
  static constexpr std::size_t max_shown = 80;
  std::string out;
  for (std::size_t i = 0; i < value.size() && i < max_shown; ++i) {
    auto c = static_cast<unsigned char>(value[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char hex[5];
      (void)std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  if (value.size() > max_shown) out += "...";
  return out;
}
std::string quoted(std::string_view value) { return "'" + escaped(value) + "'"; }

// C1 controls (U+0080..U+009F, bytes C2 80..C2 9F in valid UTF-8): some terminals act on them.
bool is_c1_at(std::string_view s, std::size_t i) {
  return static_cast<unsigned char>(s[i]) == 0xc2 && i + 1 < s.size() &&
         static_cast<unsigned char>(s[i + 1]) <= 0x9f;
}

// UTF-8, no NUL or other C0/DEL controls; line breaks and tabs only where multi-line text fits.
Status check_text(const std::string& field, const std::string& value, std::size_t max_bytes,
                  bool required, bool multiline) {
  if (required && value.empty()) return field_error(field, "must not be empty");
  if (value.size() > max_bytes)
    return field_error(field, "is " + std::to_string(value.size()) + " bytes; the limit is " +
                                  std::to_string(max_bytes));
  if (auto bad = first_invalid_utf8(value))
    return field_error(field, "invalid UTF-8 at byte " + std::to_string(*bad));
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto c = static_cast<unsigned char>(value[i]);
    bool allowed_control = multiline ? (c == '\n' || c == '\r' || c == '\t') : false;
    // C1 controls are refused with C0: an alert must never be able to drive a reader's terminal.
    if (((c < 0x20 || c == 0x7f) && !allowed_control) || is_c1_at(value, i))
      return field_error(field, multiline ? "contains a control character"
                                          : "contains a control character or line break");
  }
  return Status::success();
}

Status check_text_block(const std::string& where, const AlertText& t, Vocabulary vocabulary,
                        const AlertLimits& limits) {
  bool lang_ok = vocabulary == Vocabulary::known_only ? is_known_language(t.lang)
                                                      : is_language_syntax(t.lang);
  if (!lang_ok) return field_error(where + ".lang", quoted(t.lang) + " is not an ISO 639-1 code");
  if (auto st = check_text(where + ".title", t.title, limits.max_title_bytes, true, false); !st)
    return st;
  if (auto st = check_text(where + ".summary", t.summary, limits.max_summary_bytes, false, true);
      !st)
    return st;
  return check_text(where + ".body", t.body, limits.max_body_bytes, false, true);
}

// REQUIRES: s is valid UTF-8 (so the C1 test sees whole characters).
bool is_url(const std::string& s) {
  auto starts = [&](std::string_view p) { return s.rfind(p, 0) == 0 && s.size() > p.size(); };
  if (!starts("https://") && !starts("http://")) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c <= 0x20 || c == 0x7f || is_c1_at(s, i)) return false;
  }
  return true;
}

template <class T>
bool strictly_increasing(const std::vector<T>& v) {
  return std::adjacent_find(v.begin(), v.end(), [](auto& a, auto& b) { return !(a < b); }) ==
         v.end();
}

bool is_printable_ascii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

}  // namespace

bool is_valid_date(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (d[i] < '0' || d[i] > '9') return false;
  auto num = [&](std::size_t pos, std::size_t len) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) v = v * 10 + (d[i] - '0');
    return v;
  };
  int year = num(0, 4), month = num(5, 2), day = num(8, 2);
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int max_day = days[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= max_day;
}

void canonicalize(Alert& a) {
  auto sort_unique = [](std::vector<std::string>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  };
  sort_unique(a.categories);
  sort_unique(a.tags);
  std::stable_sort(a.translations.begin(), a.translations.end(),
                   [](const AlertText& x, const AlertText& y) { return x.lang < y.lang; });
  std::vector<std::string> sources;
  for (auto& s : a.sources)
    if (std::find(sources.begin(), sources.end(), s) == sources.end()) sources.push_back(s);
  a.sources = std::move(sources);
}

Status validate_alert(const Alert& a, Vocabulary vocabulary, const AlertLimits& limits) {
  if (auto st = check_text_block("original", a.original, vocabulary, limits); !st) return st;
  if (a.translations.size() > limits.max_translations)
    return field_error("translations", "at most " + std::to_string(limits.max_translations));
  std::set<std::string> langs{a.original.lang};
  for (const auto& t : a.translations) {
    if (auto st = check_text_block("translations." + escaped(t.lang), t, vocabulary, limits); !st)
      return st;
    if (!langs.insert(t.lang).second)
      return field_error("translations." + t.lang,
                         "language appears twice (or is the original's language)");
  }
  bool country_ok = vocabulary == Vocabulary::known_only ? is_known_country(a.country)
                                                         : is_country_syntax(a.country);
  if (!country_ok)
    return field_error("country", quoted(a.country) + " is not an ISO 3166-1 alpha-2 code");
  if (a.categories.empty()) return field_error("categories", "at least one is required");
  if (a.categories.size() > limits.max_categories)
    return field_error("categories", "at most " + std::to_string(limits.max_categories));
  for (const auto& c : a.categories) {
    bool ok = vocabulary == Vocabulary::known_only ? is_known_category(c) : is_slug(c);
    if (!ok)
      return field_error("categories", quoted(c) + " is not in the taxonomy (docs/taxonomy.md)");
  }
  if (!a.event_date.empty() && !is_valid_date(a.event_date))
    return field_error("event_date", quoted(a.event_date) + " is not a date YYYY-MM-DD");
  if (a.sources.size() > limits.max_sources)
    return field_error("sources", "at most " + std::to_string(limits.max_sources));
  for (const auto& s : a.sources) {
    if (s.size() > limits.max_source_bytes)
      return field_error("sources", "a URL is longer than " +
                                        std::to_string(limits.max_source_bytes) + " bytes");
    if (!is_valid_utf8(s) || !is_url(s))
      return field_error("sources", quoted(s) + " is not an http(s) URL");
  }
  if (a.tags.size() > limits.max_tags)
    return field_error("tags", "at most " + std::to_string(limits.max_tags));
  for (const auto& t : a.tags)
    if (!is_slug(t)) return field_error("tags", quoted(t) + " is not a lowercase slug");
  if (a.legacy_id.size() > limits.max_legacy_id_bytes || !is_printable_ascii(a.legacy_id))
    return field_error("legacy_id", "must be printable ASCII of at most " +
                                        std::to_string(limits.max_legacy_id_bytes) + " bytes");
  return Status::success();
}

namespace {
void write_text_block(CanonicalWriter& w, const AlertText& t) {
  w.text(t.lang);
  w.text(t.title);
  w.text(t.summary);
  w.text(t.body);
}
void write_list(CanonicalWriter& w, const std::vector<std::string>& items) {
  w.u64(items.size());
  for (const auto& s : items) w.text(s);
}

AlertText read_text_block(CanonicalReader& r, const AlertLimits& limits) {
  AlertText t;
  t.lang = r.text(3, "a language code");
  t.title = r.text(limits.max_title_bytes, "a title");
  t.summary = r.text(limits.max_summary_bytes, "a summary");
  t.body = r.text(limits.max_body_bytes, "a body");
  return t;
}
std::vector<std::string> read_list(CanonicalReader& r, std::size_t max_items,
                                   std::size_t max_bytes, std::string_view what) {
  std::vector<std::string> items(r.count(max_items, what));
  for (auto& s : items) s = r.text(max_bytes, what);
  return items;
}
}  // namespace

Bytes encode_alert(Alert a) {
  canonicalize(a);
  CanonicalWriter w;
  w.u8(alert_format);
  write_text_block(w, a.original);
  w.u64(a.translations.size());
  for (const auto& t : a.translations) write_text_block(w, t);
  w.text(a.country);
  write_list(w, a.categories);
  w.text(a.event_date);
  write_list(w, a.sources);
  write_list(w, a.tags);
  w.text(a.legacy_id);
  return w.finish();
}

Result<Alert> decode_alert(ByteView payload, const AlertLimits& limits) {
  return decode_guarded<Alert>([&]() -> Result<Alert> {
    CanonicalReader r(payload);
    std::uint8_t format = r.u8();
    if (format != alert_format)
      return make_error("unknown_version", "unknown alert format " + std::to_string(format));
    Alert a;
    a.original = read_text_block(r, limits);
    a.translations.resize(r.count(limits.max_translations, "translations"));
    for (auto& t : a.translations) t = read_text_block(r, limits);
    a.country = r.text(2, "a country code");
    a.categories = read_list(r, limits.max_categories, 64, "categories");
    a.event_date = r.text(10, "the event date");
    a.sources = read_list(r, limits.max_sources, limits.max_source_bytes, "sources");
    a.tags = read_list(r, limits.max_tags, 64, "tags");
    a.legacy_id = r.text(limits.max_legacy_id_bytes, "the legacy id");
    r.expect_end("the alert");

    if (auto st = validate_alert(a, Vocabulary::any_well_formed, limits); !st) return st.error();
    Alert canonical = a;
    canonicalize(canonical);
    bool translations_sorted = std::adjacent_find(a.translations.begin(), a.translations.end(),
                                                  [](auto& x, auto& y) {
                                                    return !(x.lang < y.lang);
                                                  }) == a.translations.end();
    if (!translations_sorted || !strictly_increasing(a.categories) ||
        !strictly_increasing(a.tags) || canonical.sources != a.sources)
      return make_error("not_canonical", "alert lists are not in canonical order");
    return a;
  });
}

const AlertText& text_in(const Alert& alert, std::string_view lang) {
  for (const auto& t : alert.translations)
    if (t.lang == lang) return t;
  return alert.original;
}

}  // namespace ifex
