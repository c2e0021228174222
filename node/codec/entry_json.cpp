#include "node/codec/entry_json.hpp"

#include <boost/json.hpp>
#include <ctime>

#include "keys/key_text.hpp"

namespace ifex {

namespace json = boost::json;

namespace {

struct FieldError {
  std::string message;
};

void only_fields(const json::object& obj, std::initializer_list<std::string_view> allowed,
                 const std::string& where) {
  for (const auto& kv : obj) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(kv.key())) == allowed.end())
      throw FieldError{"unknown field '" + where + std::string(kv.key()) + "'"};
  }
}

std::string string_field(const json::object& obj, std::string_view key, const std::string& where,
                         bool required) {
  auto it = obj.find(key);
  if (it == obj.end() || it->value().is_null()) {
    if (required) throw FieldError{"missing field '" + where + std::string(key) + "'"};
    return {};
  }
  if (!it->value().is_string())
    throw FieldError{"field '" + where + std::string(key) + "' must be a string"};
  const auto& s = it->value().get_string();
  return std::string(s.data(), s.size());
}

std::vector<std::string> string_list(const json::object& obj, std::string_view key) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->value().is_null()) return out;
  if (!it->value().is_array())
    throw FieldError{"field '" + std::string(key) + "' must be an array of strings"};
  for (const auto& item : it->value().get_array()) {
    if (!item.is_string())
      throw FieldError{"field '" + std::string(key) + "' must be an array of strings"};
    out.emplace_back(item.get_string().data(), item.get_string().size());
  }
  return out;
}

AlertText text_fields(const json::object& obj, std::string lang, const std::string& where) {
  AlertText t;
  t.lang = std::move(lang);
  t.title = string_field(obj, "title", where, true);
  t.summary = string_field(obj, "summary", where, false);
  t.body = string_field(obj, "body", where, false);
  return t;
}

json::array to_array(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& s : items) out.emplace_back(s);
  return out;
}

}  // namespace

Result<Alert> alert_from_json(const json::value& value) {
  try {
    if (!value.is_object()) throw FieldError{"an alert must be a JSON object"};
    const auto& obj = value.get_object();
    only_fields(obj,
                {"lang", "title", "summary", "body", "country", "categories", "event_date",
                 "sources", "tags", "legacy_id", "translations"},
                "");
    Alert a;
    a.original = text_fields(obj, string_field(obj, "lang", "", true), "");
    a.country = string_field(obj, "country", "", true);
    a.categories = string_list(obj, "categories");
    a.event_date = string_field(obj, "event_date", "", false);
    a.sources = string_list(obj, "sources");
    a.tags = string_list(obj, "tags");
    a.legacy_id = string_field(obj, "legacy_id", "", false);
    if (auto it = obj.find("translations"); it != obj.end() && !it->value().is_null()) {
      if (!it->value().is_object())
        throw FieldError{"field 'translations' must be an object keyed by language"};
      for (const auto& kv : it->value().get_object()) {
        std::string where = "translations." + std::string(kv.key()) + ".";
        if (!kv.value().is_object()) throw FieldError{"'" + where + "' must be an object"};
        only_fields(kv.value().get_object(), {"title", "summary", "body"}, where);
        a.translations.push_back(text_fields(kv.value().get_object(), std::string(kv.key()), where));
      }
    }
    return a;
  } catch (const FieldError& e) {
    return make_error("invalid_alert", e.message);
  }
}

json::object alert_to_json(const Alert& a) {
  json::object out;
  out["lang"] = a.original.lang;
  out["title"] = a.original.title;
  out["summary"] = a.original.summary;
  out["body"] = a.original.body;
  out["country"] = a.country;
  out["categories"] = to_array(a.categories);
  out["event_date"] = a.event_date;
  out["sources"] = to_array(a.sources);
  out["tags"] = to_array(a.tags);
  out["legacy_id"] = a.legacy_id;
  json::object translations;
  for (const auto& t : a.translations)
    translations[t.lang] = json::object{{"title", t.title}, {"summary", t.summary}, {"body", t.body}};
  out["translations"] = std::move(translations);
  return out;
}

std::string iso8601_utc(std::uint64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03uZ", static_cast<unsigned>(ms % 1000));
  return buf;
}

json::object entry_summary_json(const SignedEntry& e) {
  json::object out;
  out["id"] = e.id().hex();
  out["author"] = public_key_to_text(e.author());
  out["seq"] = e.seq();
  out["kind"] = std::string(kind_name(e.kind()));
  out["created"] = e.created_ms();
  out["created_at"] = iso8601_utc(e.created_ms());
  if (e.kind() == EntryKind::alert) {
    if (auto a = decode_alert(e.payload())) {
      out["lang"] = a->original.lang;
      out["country"] = a->country;
      out["title"] = a->original.title;
      out["event_date"] = a->event_date;
      out["categories"] = to_array(a->categories);
    }
  }
  return out;
}

json::object entry_full_json(const SignedEntry& e) {
  json::object out = entry_summary_json(e);
  out["prev"] = e.prev().hex();
  out["signature"] = e.signature().hex();
  out["fingerprint"] = fingerprint(e.author());
  if (e.kind() == EntryKind::alert) {
    if (auto a = decode_alert(e.payload())) out["alert"] = alert_to_json(*a);
  }
  return out;
}

}  // namespace ifex
