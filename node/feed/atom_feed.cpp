#include "node/feed/atom_feed.hpp"

#include <cstddef>
#include <string_view>

#include "keys/key_text.hpp"
#include "node/codec/entry_json.hpp"
#include "node/codec/markup_escape.hpp"
#include "protocol/utf8.hpp"

namespace ifex {

namespace {

constexpr std::string_view atom_ns = "http://www.w3.org/2005/Atom";
constexpr std::string_view ext_ns = "urn:ifexnode:atom";
constexpr std::string_view entry_urn = "urn:ifexnode:entry:";
constexpr std::string_view country_scheme = "urn:iso:3166";
constexpr std::string_view category_scheme = "urn:ifexnode:category";
constexpr std::string_view tag_scheme = "urn:ifexnode:tag";
constexpr std::string_view event_date_scheme = "urn:ifexnode:event-date";
constexpr std::string_view replacement_char = "\xEF\xBF\xBD";  // U+FFFD

// XML 1.0 Char, minus what UTF-8 decoding already excludes (surrogates, > U+10FFFF).
bool xml_char(char32_t cp) {
  if (cp < 0x20) return cp == 0x09 || cp == 0x0A || cp == 0x0D;
  return cp != 0xFFFE && cp != 0xFFFF;
}

// Appends `s` as XML character data or, with `attribute`, as a double-quoted attribute value.
// Invalid UTF-8 bytes become U+FFFD (one per byte); characters XML 1.0 forbids are dropped.
// CR (and in attributes TAB and LF) are written as references, since a parser would otherwise
// normalise them away and the text would not survive the round trip.
void append_escaped(std::string& out, std::string_view s, bool attribute = false) {
  for (std::size_t i = 0; i < s.size();) {
    const Utf8Step step = decode_utf8_at(s, i);
    if (!step.valid) {
      out += replacement_char;
      ++i;
      continue;
    }
    const char32_t cp = step.code_point;
    const std::size_t len = step.length;
    if (!xml_char(cp)) {
      i += len;
      continue;
    }
    if (const char* entity = markup_entity(cp)) {
      out += entity;
      i += len;
      continue;
    }
    switch (cp) {
      case '\r':
        out += "&#xD;";
        break;
      case '\n':
        out += attribute ? "&#xA;" : "\n";
        break;
      case '\t':
        out += attribute ? "&#x9;" : "\t";
        break;
      default:
        out.append(s.substr(i, len));
    }
    i += len;
  }
}

std::string escaped(std::string_view s, bool attribute = false) {
  std::string out;
  out.reserve(s.size());
  append_escaped(out, s, attribute);
  return out;
}

// RFC 3339 needs a four-digit year; created_ms is the author's clock and may be anything.
std::string rfc3339(std::uint64_t ms) {
  constexpr std::uint64_t last_ms = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z
  return iso8601_utc(ms > last_ms ? last_ms : ms);
}

void element(std::string& out, std::string_view indent, std::string_view name,
             std::string_view text) {
  out += indent;
  out += '<';
  out += name;
  out += '>';
  append_escaped(out, text);
  out += "</";
  out += name;
  out += ">\n";
}

// A text construct (title, summary, content) with its language.
void text_element(std::string& out, std::string_view name, const std::string& lang,
                  std::string_view text) {
  out += "    <";
  out += name;
  out += " type=\"text\"";
  if (!lang.empty()) out += " xml:lang=\"" + escaped(lang, true) + '"';
  out += '>';
  append_escaped(out, text);
  out += "</";
  out += name;
  out += ">\n";
}

void link(std::string& out, std::string_view indent, std::string_view rel, std::string_view type,
          std::string_view href) {
  out += indent;
  out += "<link rel=\"";
  out += rel;
  out += '"';
  if (!type.empty()) {
    out += " type=\"";
    out += type;
    out += '"';
  }
  out += " href=\"" + escaped(href, true) + "\"/>\n";
}

void category(std::string& out, std::string_view scheme, std::string_view term,
              std::string_view label = {}) {
  out += "    <category scheme=\"";
  out += scheme;
  out += "\" term=\"" + escaped(term, true) + '"';
  if (!label.empty()) out += " label=\"" + escaped(label, true) + '"';
  out += "/>\n";
}

// The site URL without any fragment, so the alert's fragment can be appended.
std::string_view without_fragment(std::string_view url) {
  return url.substr(0, url.find('#'));
}

void render_entry(std::string& out, const FeedInfo& info, const FeedItem& item) {
  const Alert& alert = item.alert;
  const AlertText& shown = text_in(alert, info.lang);
  // A translation may leave summary or body empty: show the original's then, in its language.
  const AlertText& summary =
      shown.summary.empty() && !alert.original.summary.empty() ? alert.original : shown;
  const AlertText& body =
      shown.body.empty() && !alert.original.body.empty() ? alert.original : shown;
  const std::string id_hex = item.entry.id().hex();
  // `updated`: when the entry was signed, i.e. entered the federation. `published`: the same for
  // a new report; an archive record was first published on its archive date.
  const std::string updated = rfc3339(item.entry.created_ms());
  const bool archive_record = !alert.legacy_id.empty() && !alert.event_date.empty();
  const std::string published = archive_record ? alert.event_date + "T00:00:00Z" : updated;
  const std::string author_name =
      item.author_name.empty() ? "ifexnode " + fingerprint(item.entry.author()) : item.author_name;

  out += "  <entry";
  if (!shown.lang.empty()) out += " xml:lang=\"" + escaped(shown.lang, true) + '"';
  out += ">\n";
  element(out, "    ", "id", std::string(entry_urn) + id_hex);
  text_element(out, "title", shown.lang, shown.title);
  element(out, "    ", "updated", updated);
  element(out, "    ", "published", published);
  out += "    <author>\n";
  element(out, "      ", "name", author_name);
  element(out, "      ", "uri", "urn:ifexnode:key:" + public_key_to_text(item.entry.author()));
  out += "    </author>\n";
  link(out, "    ", "alternate", "text/html",
       std::string(without_fragment(info.site_url)) + "#/alert/" + id_hex);
  for (const auto& source : alert.sources) link(out, "    ", "related", "", source);
  for (const auto& slug : alert.categories) category(out, category_scheme, slug);
  for (const auto& tag : alert.tags) category(out, tag_scheme, tag);
  if (!alert.country.empty()) category(out, country_scheme, alert.country);
  // Readers order by the dates above; the day the event happened is shown as a category.
  if (!alert.event_date.empty())
    category(out, event_date_scheme, alert.event_date, "Event date " + alert.event_date);
  if (!summary.summary.empty()) text_element(out, "summary", summary.lang, summary.summary);
  if (!body.body.empty()) text_element(out, "content", body.lang, body.body);
  if (!alert.event_date.empty()) element(out, "    ", "ifex:event-date", alert.event_date);
  if (!alert.country.empty()) element(out, "    ", "ifex:country", alert.country);
  element(out, "    ", "ifex:seq", std::to_string(item.entry.seq()));
  out += "  </entry>\n";
}

}  // namespace

std::string render_atom_feed(const FeedInfo& info, const std::vector<FeedItem>& items) {
  std::string out;
  out.reserve(1024 + items.size() * 2048);
  out += "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
  out += "<feed xmlns=\"";
  out += atom_ns;
  out += "\" xmlns:ifex=\"";
  out += ext_ns;
  out += "\">\n";
  element(out, "  ", "id", info.feed_id);
  out += "  <title type=\"text\">";
  append_escaped(out, info.title);
  out += "</title>\n";
  element(out, "  ", "updated", rfc3339(info.updated_ms));
  link(out, "  ", "self", "application/atom+xml", info.self_url);
  link(out, "  ", "alternate", "text/html", info.site_url);
  out += "  <generator>ifexnode</generator>\n";
  out += "  <author>\n";
  element(out, "    ", "name", "ifexnode");
  if (!info.site_url.empty()) element(out, "    ", "uri", info.site_url);
  out += "  </author>\n";
  for (const auto& item : items) render_entry(out, info, item);
  out += "</feed>\n";
  return out;
}

}  // namespace ifex
