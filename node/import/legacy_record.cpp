#include "node/import/legacy_record.hpp"

#include <boost/json.hpp>

#include "node/codec/strict_json.hpp"
#include "protocol/taxonomy.hpp"

namespace ifex {

namespace json = boost::json;

namespace {

// Thrown inside the parser only; parse_legacy_record turns it into its Error.
struct BadRecord {
  Error error;
};

[[noreturn]] void fail(const char* code, const std::string& field, const std::string& rule) {
  throw BadRecord{make_error(code, field + ": " + rule)};
}

// Reads the fields of one JSON object; `prefix` names the object in messages ("translations.fr.").
class FieldReader {
 public:
  FieldReader(const json::object& object, std::string prefix)
      : object_(object), prefix_(std::move(prefix)) {}

  // A string; absent or null gives "" unless `required`.
  std::string text(std::string_view key, bool required) const {
    const json::value* v = find(key, required);
    if (v == nullptr) return {};
    if (!v->is_string()) fail("wrong_type", name(key), "must be a string");
    return std::string(v->get_string());
  }

  // An array of strings; absent or null gives an empty list unless `required`.
  std::vector<std::string> texts(std::string_view key, bool required) const {
    const json::value* v = find(key, required);
    std::vector<std::string> out;
    if (v == nullptr) return out;
    if (!v->is_array()) fail("wrong_type", name(key), "must be an array of strings");
    out.reserve(v->get_array().size());
    for (const json::value& item : v->get_array()) {
      if (!item.is_string()) fail("wrong_type", name(key), "must be an array of strings");
      out.emplace_back(item.get_string());
    }
    return out;
  }

  // A nested object; absent or null gives nullptr.
  const json::object* object(std::string_view key) const {
    const json::value* v = find(key, false);
    if (v == nullptr) return nullptr;
    if (!v->is_object()) fail("wrong_type", name(key), "must be an object");
    return &v->get_object();
  }

 private:
  const json::value* find(std::string_view key, bool required) const {
    auto it = object_.find(key);
    if (it == object_.end() || it->value().is_null()) {
      if (required) fail("missing_field", name(key), "missing");
      return nullptr;
    }
    return &it->value();
  }
  std::string name(std::string_view key) const { return prefix_ + std::string(key); }

  const json::object& object_;
  std::string prefix_;
};

AlertText read_text(const FieldReader& fields, std::string lang) {
  return {std::move(lang), fields.text("title", true), fields.text("summary", false),
          fields.text("body", false)};
}

// validate_alert names fields as the wire format does; the operator knows the archive's names.
Error in_archive_terms(Error error) {
  std::string& m = error.message;
  constexpr std::string_view original = "original.";
  constexpr std::string_view event_date = "event_date";
  if (m.starts_with(original))
    m.erase(0, original.size());
  else if (m.starts_with(event_date))
    m.replace(0, event_date.size(), "date");
  error.code = "invalid_field";
  return error;
}

json::value parse_line(std::string_view line) {
  // Invalid UTF-8 is let through here so that the check of each field can name the field.
  json::parse_options options;
  options.allow_invalid_utf8 = true;
  unsigned char scratch[4096];
  json::parser parser(json::storage_ptr(), options, scratch, sizeof scratch);
  boost::system::error_code ec;
  std::size_t used = parser.write(line.data(), line.size(), ec);
  if (ec)
    throw BadRecord{make_error(
        "invalid_json", "not valid JSON (at byte " + std::to_string(used) + "): " + ec.message())};
  // Boost.JSON keeps the last of two equal keys silently: the record would be signed with a
  // value nobody reviewing the file sees first. Refused like every other bad record.
  if (auto key = first_duplicate_key(line, options))
    throw BadRecord{
        make_error("duplicate_key", "the key '" + *key + "' is given twice in one object")};
  return parser.release();
}

Alert read_record(const json::object& record) {
  FieldReader fields(record, "");
  Alert a;
  a.legacy_id = fields.text("legacy_id", true);
  if (a.legacy_id.empty()) fail("invalid_field", "legacy_id", "must not be empty");
  a.event_date = fields.text("date", true);
  if (!is_valid_date(a.event_date)) fail("invalid_field", "date", "is not a date YYYY-MM-DD");
  a.country = fields.text("country", true);
  a.original = read_text(fields, fields.text("lang", true));
  a.categories = fields.texts("categories", true);
  if (const json::object* translations = fields.object("translations")) {
    for (const auto& item : *translations) {
      std::string lang(item.key());
      std::string prefix = "translations." + lang;
      if (!item.value().is_object()) fail("wrong_type", prefix, "must be an object");
      a.translations.push_back(
          read_text(FieldReader(item.value().get_object(), prefix + "."), std::move(lang)));
    }
  }
  a.sources = fields.texts("sources", false);
  a.tags = fields.texts("tags", false);
  a.tags.emplace_back(legacy_archive_tag);
  return a;
}

}  // namespace

Result<Alert> parse_legacy_record(std::string_view line, const AlertLimits& limits) {
  Alert alert;
  try {
    json::value value = parse_line(line);
    if (!value.is_object()) return make_error("not_an_object", "the line is not a JSON object");
    alert = read_record(value.get_object());
  } catch (const BadRecord& bad) {
    return bad.error;
  }
  canonicalize(alert);
  if (auto st = validate_alert(alert, Vocabulary::known_only, limits); !st)
    return in_archive_terms(st.error());
  return alert;
}

}  // namespace ifex
