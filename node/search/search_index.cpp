// Index layout (a change here needs `ifexnode reindex`):
//   document data  the 32 raw bytes of the alert id
//   Q<id hex>      unique id term: add() replaces by it
//   A<author hex>  L<lang> (every language the alert has text in)  XC<country>  XT<category>
//   K<tag>  XL<legacy id>                                           boolean filter terms
//   value slot 0   the alert's date as YYYYMMDD (event date, else the signing day)
//   value slot 1   the facets, for counting them: country, author hex, year "YYYY",
//                  categories, languages (facet_value() below). Documents from before this
//                  slot are re-added when the catalog's layout 3 rebuilds everything.
//   value slot 2   YYYYMMDD + the raw id: the order of newest/oldest and relevance's tie
//                  break (node/search/index_layout.hpp); written into older indexes at open.
//   metadata       ifex.layout "2"; ifex.shard "I/N" when the index is one part of several.
//   free text      unprefixed words with positions (phrases) and Z<stem> (TermGenerator
//                  STEM_SOME), each text with stemmer_for(its language); titles count 3 times.
// All text, and every query, goes through normalize_arabic() first.
#include "node/search/search_index.hpp"

#include <xapian.h>

#include <algorithm>
#include <exception>
#include <limits>
#include <map>
#include <set>
#include <string_view>
#include <system_error>

#include "node/codec/markup_escape.hpp"
#include "node/search/arabic_analysis.hpp"
#include "node/search/index_layout.hpp"
#include "node/search/search_errors.hpp"
#include "node/search/stemmers.hpp"

namespace ifex {

namespace {

using index_layout::date_slot;
using index_layout::facet_slot;
using index_layout::sort_slot;

const std::string id_prefix = "Q";
const std::string author_prefix = "A";
const std::string lang_prefix = "L";
const std::string tag_prefix = "K";
const std::string country_prefix = "XC";
const std::string category_prefix = "XT";
const std::string legacy_prefix = "XL";

constexpr Xapian::termcount title_wdf = 3;    // a title word weighs like three body words
constexpr Xapian::termcount field_gap = 100;  // no phrase spans two fields or two texts
constexpr std::size_t snippet_chars = 200;
constexpr std::size_t body_prefix_bytes = 8 * 1024;
// Enough to count small result sets exactly, so totals agree from page to page.
constexpr Xapian::doccount check_at_least = 1000;
constexpr int max_attempts = 3;  // a reader retries after DatabaseModifiedError

// Value slot 1 (facet_slot): country, author hex, year, categories, languages, in this order,
// each ended by field_end; list elements each ended by item_end. One slot, so a match spy
// reads one value per document, not five.
constexpr char field_end = '\x1e';
constexpr char item_end = '\x1f';

std::string facet_value(const std::string& country, const std::string& author_hex,
                        const std::string& year, const std::set<std::string>& categories,
                        const std::set<std::string>& langs) {
  std::string out = country + field_end + author_hex + field_end + year + field_end;
  for (const auto& c : categories) out += c + item_end;
  out += field_end;
  for (const auto& l : langs) out += l + item_end;
  out += field_end;
  return out;
}

// The facet counts of the checked matches, from Xapian's ValueCountMatchSpy over facet_slot:
// it counts each distinct facet value (one per combination of country, author, year,
// categories and languages), and each is split into its facets here. A built-in spy rather
// than one of ours, because xapian-tcpsrv runs only spies it knows: the same counting then
// works over remote shards, each shard counting its own matches.
class FacetTally {
 public:
  void add(std::string_view value, std::uint64_t n) {
    auto next = [&value](char end) {
      auto at = value.find(end);
      if (at == std::string_view::npos) at = value.size();
      std::string_view field = value.substr(0, at);
      value.remove_prefix(std::min(value.size(), at + 1));
      return field;
    };
    if (value.empty()) return;  // indexed before facet_slot: reindex
    bump(country_, next(field_end), n);
    bump(author_, next(field_end), n);
    bump(year_, next(field_end), n);
    for (Counts* list : {&category_, &lang_}) {
      std::string_view items = next(field_end);
      while (!items.empty()) {
        auto at = items.find(item_end);
        if (at == std::string_view::npos) at = items.size();
        bump(*list, items.substr(0, at), n);
        items.remove_prefix(std::min(items.size(), at + 1));
      }
    }
  }
  // The counts over `seen` checked matches, scaled to `total` when fewer were checked (a bound
  // stopped the match early): estimates in proportion, none above the total.
  void fill(FacetCounts& out, std::uint64_t seen, std::uint64_t total) const {
    auto scaled = [&](const Counts& counts) {
      std::map<std::string, std::uint64_t> estimates;
      for (const auto& [value, n] : counts) {
        std::uint64_t v = n;
        if (seen > 0 && total > seen)
          v = std::min<std::uint64_t>(
              total, static_cast<std::uint64_t>(static_cast<double>(n) * total / seen + 0.5));
        estimates.emplace(value, v);
      }
      return estimates;
    };
    out.country = scaled(country_);
    out.author = scaled(author_);
    out.year = scaled(year_);
    out.category = scaled(category_);
    out.lang = scaled(lang_);
  }

 private:
  using Counts = std::map<std::string, std::uint64_t, std::less<>>;  // found by string_view
  static void bump(Counts& counts, std::string_view v, std::uint64_t n) {
    if (v.empty()) return;
    if (auto it = counts.find(v); it != counts.end()) it->second += n;
    else counts.emplace(std::string(v), n);
  }
  Counts country_, author_, year_, category_, lang_;
};

Error xapian_error(std::string_view what, const Xapian::Error& e) {
  return make_error("search_index", "search index: " + std::string(what) + ": " + e.get_type() +
                                        ": " + e.get_msg());
}

// Xapian names the shard in the error's context ("remote:tcp(HOST:PORT)"): the operator's log
// needs it to know which one failed.
std::string shard_failure(const Xapian::Error& e) {
  std::string out = "search shard";
  if (!e.get_context().empty()) out += " " + e.get_context();
  return out + ": " + e.get_type() + ": " + e.get_msg();
}

Error other_error(std::string_view what, const char* message) {
  return make_error("search_index", "search index: " + std::string(what) + ": " + message);
}

// The one guard of the index's public functions (as the store guards LMDB): whatever Xapian,
// the allocator or a caller's loader throws becomes an Error naming what was being done, so no
// exception leaves the search index. R is Status or a Result.
template <class R, class Fn>
R guarded(std::string_view what, Fn&& fn) {
  try {
    return fn();
  } catch (const Xapian::Error& e) {
    return xapian_error(what, e);
  } catch (const std::exception& e) {
    return other_error(what, e.what());
  } catch (...) {
    return other_error(what, "unknown exception");
  }
}

std::string compact_date(const std::string& date) {
  std::string out;
  for (char c : date)
    if (c != '-') out += c;
  return out;
}

// Xapian's operator words; every other word is lower-cased so that the parser stems it (it
// leaves capitalised words unstemmed, so "Journalists" would not find "journalist").
bool is_operator_word(std::string_view word) {
  return word == "AND" || word == "OR" || word == "NOT" || word == "XOR" || word == "NEAR" ||
         word == "ADJ";
}

std::string prepare_query(std::string_view query) {
  const std::string normal = normalize_arabic(query);
  std::string out;
  out.reserve(normal.size());
  Xapian::Utf8Iterator it(normal), end;
  while (it != end) {
    if (!Xapian::Unicode::is_wordchar(*it)) {
      Xapian::Unicode::append_utf8(out, *it);
      ++it;
      continue;
    }
    std::string word;
    while (it != end && Xapian::Unicode::is_wordchar(*it)) {
      Xapian::Unicode::append_utf8(word, *it);
      ++it;
    }
    out += is_operator_word(word) ? word : Xapian::Unicode::tolower(word);
  }
  return out;
}

// Xapian's parser silently closes an open phrase or bracket; a reader is better told.
std::optional<std::string> unbalanced(std::string_view query) {
  std::size_t quotes = 0;
  long depth = 0;
  Xapian::Utf8Iterator it(query.data(), query.size()), end;
  for (; it != end; ++it) {
    unsigned ch = *it;
    if (ch == '"' || ch == 0x201C || ch == 0x201D) ++quotes;
    if (quotes % 2 == 1) continue;  // brackets inside a phrase are just characters
    if (ch == '(') ++depth;
    if (ch == ')' && --depth < 0) return "a ')' has no matching '('";
  }
  if (quotes % 2 == 1) return "unbalanced quotes: a phrase opened with '\"' is not closed";
  if (depth > 0) return "unbalanced parentheses: a '(' is not closed";
  return std::nullopt;
}

// Xapian says "Syntax: <expression> AND <expression>" when an operator lacks an operand.
std::string explain_parse_error(const std::string& xapian_message) {
  static const std::string syntax = "Syntax: <expression> ";
  if (xapian_message.rfind(syntax, 0) == 0) {
    auto op = xapian_message.substr(syntax.size());
    op = op.substr(0, op.find(' '));
    return "cannot parse the query: " + op +
           " needs a word or a phrase on each side (to search for the word itself, write it "
           "in lower case)";
  }
  return "cannot parse the query: " + xapian_message;
}

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

std::vector<const AlertText*> texts_of(const Alert& alert) {
  std::vector<const AlertText*> out{&alert.original};
  for (const auto& t : alert.translations) out.push_back(&t);
  return out;
}

std::size_t count_chars(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Xapian escapes <, > and & in snippets but not quotes (1.4.22), and older releases escaped
// less. Rather than depend on its rules, highlights are asked for as the control characters
// \x01/\x02 (removed from the text beforehand), Xapian's entities are decoded, and all of the
// text is escaped here; only then do the markers become <mark> tags. White space is folded into
// single spaces, so a snippet is one line.
constexpr char mark_open = '\x01';
constexpr char mark_close = '\x02';

// The first body_prefix_bytes of `body`, not cutting a UTF-8 sequence.
std::string body_prefix(const std::string& body) {
  if (body.size() <= body_prefix_bytes) return body;
  std::size_t end = body_prefix_bytes;
  while (end > 0 && (static_cast<unsigned char>(body[end]) & 0xC0) == 0x80) --end;
  return body.substr(0, end);
}

std::string without_markers(std::string text) {
  std::replace(text.begin(), text.end(), mark_open, ' ');
  std::replace(text.begin(), text.end(), mark_close, ' ');
  return text;
}

std::string html_from_xapian_snippet(std::string_view s) {
  static constexpr std::pair<std::string_view, char> entities[] = {
      {"&amp;", '&'},  {"&lt;", '<'},   {"&gt;", '>'},
      {"&quot;", '"'}, {"&#39;", '\''}, {"&apos;", '\''}};
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (std::size_t i = 0; i < s.size();) {
    char c = s[i];
    std::size_t used = 1;
    if (c == '&') {
      for (auto [entity, raw] : entities) {
        if (s.substr(i, entity.size()) == entity) {
          c = raw;
          used = entity.size();
          break;
        }
      }
    }
    i += used;
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';  // one line: paragraphs mean little here
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    if (const char* entity = markup_entity(static_cast<unsigned char>(c))) {
      out += entity;
      continue;
    }
    switch (c) {
      case mark_open:
        out += "<mark>";
        break;
      case mark_close:
        out += "</mark>";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

struct SearchIndex::Impl {
  bool writable = false;
  bool remote = false;
  bool broken = false;  // a remote shard failed: the connection's state is unknown
  SearchShard shard;
  Xapian::WritableDatabase wdb;
  Xapian::Database rdb;
  Xapian::TermGenerator termgen;
  std::map<std::string, Xapian::Stem, std::less<>> stemmers;

  Xapian::Database& db() { return writable ? wdb : rdb; }

  const Xapian::Stem& stemmer(std::string_view lang) {
    auto it = stemmers.find(lang);
    if (it == stemmers.end()) it = stemmers.emplace(std::string(lang), stemmer_for(lang)).first;
    return it->second;
  }

  void index_text(std::string_view lang, const std::string& text, Xapian::termcount wdf) {
    if (text.empty()) return;
    termgen.set_stemmer(stemmer(lang));
    termgen.index_text(normalize_arabic(text), wdf);
    termgen.increase_termpos(field_gap);
  }

  Xapian::Document make_document(const IndexedAlert& in) {
    Xapian::Document doc;
    termgen.set_document(doc);
    termgen.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
    const Alert& a = in.alert;
    std::set<std::string> langs;
    for (const AlertText* t : texts_of(a)) {
      index_text(t->lang, t->title, title_wdf);
      index_text(t->lang, t->summary, 1);
      index_text(t->lang, t->body, 1);
      langs.insert(t->lang);
    }
    for (const auto& tag : a.tags) {
      index_text("", tag, 1);
      doc.add_boolean_term(tag_prefix + tag);
    }
    if (!a.legacy_id.empty()) {
      index_text("", a.legacy_id, 1);
      doc.add_boolean_term(legacy_prefix + a.legacy_id);
    }
    for (const auto& lang : langs) doc.add_boolean_term(lang_prefix + lang);
    for (const auto& c : a.categories) doc.add_boolean_term(category_prefix + c);
    if (!a.country.empty()) doc.add_boolean_term(country_prefix + a.country);
    doc.add_boolean_term(author_prefix + in.author.hex());
    doc.add_boolean_term(id_prefix + in.id.hex());
    const std::string date = compact_date(alert_date(a.event_date, in.created_ms));
    doc.add_value(date_slot, date);
    doc.add_value(sort_slot, index_layout::sort_value(date, std::string(as_chars(in.id.view()))));
    doc.add_value(facet_slot, facet_value(a.country, in.author.hex(), date.substr(0, 4),
                                          {a.categories.begin(), a.categories.end()}, langs));
    doc.set_data(std::string(as_chars(in.id.view())));
    return doc;
  }

  Xapian::Query parse(const std::string& query, std::string_view lang) {
    Xapian::QueryParser qp;
    qp.set_stemmer(stemmer(lang));
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    qp.set_default_op(Xapian::Query::OP_AND);
    qp.add_boolean_prefix("tag", tag_prefix);
    return qp.parse_query(query, Xapian::QueryParser::FLAG_DEFAULT);
  }

  // The text query: one parse per candidate language; when they differ, OP_MAX scores each
  // alert by its best reading, so an alert is not ranked up merely for matching in several.
  // The lang filter adds its language but does not replace the others: it selects alerts that
  // have a text in that language, while the reader may well type the query in another
  // (an English query over alerts available in Arabic finds them by their English translation).
  Xapian::Query text_query(const std::string& query, const AlertFilters& filters) {
    std::vector<std::string_view> langs = default_query_languages();
    if (!filters.lang.empty() &&
        std::find(langs.begin(), langs.end(), filters.lang) == langs.end())
      langs.insert(langs.begin(), filters.lang);
    std::vector<Xapian::Query> parses;
    std::set<std::string> seen;
    for (auto lang : langs) {
      Xapian::Query q = parse(query, lang);
      if (q.empty()) continue;
      if (seen.insert(q.get_description()).second) parses.push_back(std::move(q));
    }
    if (parses.size() <= 1) return parses.empty() ? Xapian::Query() : parses.front();
    return Xapian::Query(Xapian::Query::OP_MAX, parses.begin(), parses.end());
  }

  static Xapian::Query filter_query(const AlertFilters& f) {
    std::vector<Xapian::Query> parts;
    if (!f.lang.empty()) parts.emplace_back(lang_prefix + f.lang);
    if (!f.country.empty()) parts.emplace_back(country_prefix + f.country);
    if (!f.category.empty()) parts.emplace_back(category_prefix + f.category);
    if (f.author) parts.emplace_back(author_prefix + f.author->hex());
    const std::string from = compact_date(f.from_date), to = compact_date(f.to_date);
    if (!from.empty() && !to.empty())
      parts.emplace_back(Xapian::Query::OP_VALUE_RANGE, date_slot, from, to);
    else if (!from.empty())
      parts.emplace_back(Xapian::Query::OP_VALUE_GE, date_slot, from);
    else if (!to.empty())
      parts.emplace_back(Xapian::Query::OP_VALUE_LE, date_slot, to);
    return Xapian::Query(Xapian::Query::OP_AND, parts.begin(), parts.end());
  }

  // The snippet of `text` (title, summary, body), or "" when `flags` has
  // SNIPPET_EMPTY_WITHOUT_MATCH and nothing matches. With `whole` false only the first
  // body_prefix_bytes of the body are read.
  std::string snippet_of(const Xapian::MSet& mset, const AlertText& text, bool whole,
                         unsigned flags) {
    std::string joined = text.title;
    auto append = [&](const std::string& part, const char* separator) {
      if (part.empty()) return;
      if (!joined.empty()) joined += separator;
      joined += part;
    };
    append(text.summary, " — ");
    append(whole ? text.body : body_prefix(text.body), text.summary.empty() ? " — " : "\n");
    joined = without_markers(std::move(joined));
    // Xapian counts bytes; ~snippet_chars characters whatever the script.
    const std::size_t chars = std::max<std::size_t>(count_chars(joined), 1);
    const std::size_t bytes = snippet_chars * std::max<std::size_t>(joined.size() / chars, 1);
    std::string raw = mset.snippet(joined, bytes, stemmer(text.lang), flags,
                                   std::string(1, mark_open), std::string(1, mark_close), "…");
    return html_from_xapian_snippet(raw);
  }

  // The text in filters.lang when the alert has one, else the first text with a match, else
  // the original without highlights. Xapian reads the whole text for a snippet (~6 ms for a
  // 60 KB body here), so the start of each text is tried first and whole bodies only when it
  // has no match.
  std::string snippet(const Xapian::MSet& mset, const Alert& alert, const AlertFilters& filters) {
    const unsigned flags = Xapian::MSet::SNIPPET_BACKGROUND_MODEL |
                           Xapian::MSet::SNIPPET_EXHAUSTIVE |
                           Xapian::MSet::SNIPPET_EMPTY_WITHOUT_MATCH;
    std::vector<const AlertText*> texts = texts_of(alert);
    if (!filters.lang.empty()) {
      auto in_lang = std::find_if(texts.begin(), texts.end(),
                                  [&](const AlertText* t) { return t->lang == filters.lang; });
      if (in_lang != texts.end()) texts = {*in_lang};
    }
    for (bool whole : {false, true}) {
      for (const AlertText* t : texts) {
        if (whole && t->body.size() <= body_prefix_bytes) continue;  // already read whole
        std::string s = snippet_of(mset, *t, whole, flags);
        if (!s.empty()) return s;
      }
    }
    return snippet_of(mset, *texts.front(), false,
                      flags & ~unsigned{Xapian::MSet::SNIPPET_EMPTY_WITHOUT_MATCH});
  }

  // The total and the facets over the matches, each checked up to max_checked: a pass of its
  // own, unranked and unsorted. Apart from the page's pass because Xapian 1.4's spies count
  // some documents twice over remote shards when the match is sorted by a value (as every
  // order here is); unranked, the pass also costs less per match than the page's.
  void count_facets(const Xapian::Query& query, std::uint64_t max_checked, SearchResults& out) {
    // Declared before the Enquire that points at it (it keeps no reference of its own).
    Xapian::ValueCountMatchSpy spy(facet_slot);
    Xapian::Enquire enquire(db());
    enquire.set_query(query);
    enquire.set_weighting_scheme(Xapian::BoolWeight());
    enquire.add_matchspy(&spy);
    constexpr std::uint64_t most_checked = std::numeric_limits<Xapian::doccount>::max();
    const Xapian::doccount check = std::max(
        check_at_least, std::min<Xapian::doccount>(db().get_doccount(),
                                                   static_cast<Xapian::doccount>(
                                                       std::min(max_checked, most_checked))));
    Xapian::MSet mset = enquire.get_mset(0, 0, check);
    out.total_estimate = mset.get_matches_estimated();
    const bool total_known = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
    out.facets.total = total_known ? mset.get_matches_lower_bound() : out.total_estimate;
    // Every document has one facet value, so the counts of the values sum to the matches the
    // spy saw; the counts are exact only when it saw them all (Xapian may know the total
    // without checking every match: one term and no filter is its frequency).
    std::uint64_t seen = 0;
    FacetTally tally;
    for (auto it = spy.values_begin(); it != spy.values_end(); ++it) {
      tally.add(*it, it.get_termfreq());
      seen += it.get_termfreq();
    }
    out.facets.exact = total_known && seen >= out.facets.total;
    tally.fill(out.facets, seen, out.facets.total);
  }

  Result<SearchResults> run(const SearchRequest& request, const AlertLoader& load) {
    Xapian::Query text = text_query(prepare_query(request.query), request.filters);
    if (text.empty())
      return make_error(search_errors::bad_query, "the query has no words to search for");
    Xapian::Query query = request.filters.empty() ? text
                                                  : Xapian::Query(Xapian::Query::OP_FILTER, text,
                                                                  filter_query(request.filters));
    Xapian::Enquire enquire(db());
    enquire.set_query(query);
    enquire.set_weighting_scheme(Xapian::BM25Weight());
    constexpr std::size_t most = std::numeric_limits<Xapian::doccount>::max();
    const auto first = static_cast<Xapian::doccount>(std::min(request.offset, most));
    const auto count = static_cast<Xapian::doccount>(std::min(request.limit, most));
    // Every order ends on sort_slot, unique per alert, so equal scores or dates come out in the
    // same order from one index and from shards (whose document numbers differ).
    if (request.sort == SearchSort::relevance)
      enquire.set_sort_by_relevance_then_value(sort_slot, true);
    else
      enquire.set_sort_by_value_then_relevance(sort_slot, request.sort == SearchSort::newest);
    Xapian::MSet mset = enquire.get_mset(first, count, check_at_least);

    SearchResults out;
    out.total_estimate = mset.get_matches_estimated();
    const bool total_known = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
    out.facets.total = total_known ? mset.get_matches_lower_bound() : out.total_estimate;
    out.facets.exact = total_known;
    if (request.facets) count_facets(query, request.max_checked, out);
    out.hits.reserve(mset.size());    out.hits.reserve(mset.size());
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      auto id = Hash::from(as_bytes(it.get_document().get_data()));
      if (!id)
        return make_error("search_index", "search index: document " + std::to_string(*it) +
                                              " has no alert id (rebuild it)");
      SearchHit hit{*id, it.get_percent(), {}};
      if (load) {
        if (auto alert = load(*id)) hit.snippet_html = snippet(mset, *alert, request.filters);
      }
      out.hits.push_back(std::move(hit));
    }
    return out;
  }
};

SearchIndex::SearchIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SearchIndex::~SearchIndex() = default;

bool SearchShard::holds(const Hash& id) const {
  if (count <= 1) return true;
  std::uint64_t prefix = 0;
  for (std::size_t i = 0; i < 8; ++i) prefix = (prefix << 8) | id.view()[i];
  return prefix % count == number - 1;
}

std::string SearchShard::spec() const {
  return count <= 1 ? "" : std::to_string(number) + "/" + std::to_string(count);
}

Result<std::unique_ptr<SearchIndex>> SearchIndex::open_writable(const std::filesystem::path& dir,
                                                                SearchShard shard) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return make_error("search_index",
                      "search index: cannot create " + dir.string() + ": " + ec.message());
  using Opened = Result<std::unique_ptr<SearchIndex>>;
  return guarded<Opened>("open " + dir.string() + " for writing", [&]() -> Opened {
    auto impl = std::make_unique<Impl>();
    impl->writable = true;
    impl->shard = shard;
    try {
      impl->wdb = Xapian::WritableDatabase(dir.string(), Xapian::DB_CREATE_OR_OPEN);
    } catch (const Xapian::DatabaseLockError& e) {
      return make_error(search_errors::index_locked,
                        "search index " + dir.string() +
                            " is locked by another writer (is another ifexnode "
                            "running or reindexing?): " +
                            e.get_msg());
    }
    Xapian::WritableDatabase& db = impl->wdb;
    const std::string held = db.get_metadata(index_layout::shard_key);
    if (db.get_doccount() == 0) {
      db.set_metadata(index_layout::shard_key, shard.spec());
      db.set_metadata(index_layout::layout_key, index_layout::current_layout);
      db.commit();
    } else if (held != shard.spec()) {
      auto name = [](const std::string& spec) {
        return spec.empty() ? std::string("every alert") : "shard " + spec;
      };
      return make_error(search_errors::shard_mismatch,
                        "search index " + dir.string() + " holds " + name(held) +
                            " but [search] shard asks for " + name(shard.spec()) +
                            ": stop the node and run `ifexnode reindex` to rebuild it");
    }
    index_layout::upgrade(db);
    return std::unique_ptr<SearchIndex>(new SearchIndex(std::move(impl)));
  });
}

Result<std::unique_ptr<SearchIndex>> SearchIndex::open_readonly(const std::filesystem::path& dir) {
  auto missing = [&] {
    return make_error(search_errors::no_index, "no search index at " + dir.string() +
                                                   " (run `ifexnode reindex` to build it)");
  };
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return missing();
  using Opened = Result<std::unique_ptr<SearchIndex>>;
  return guarded<Opened>("open " + dir.string(), [&]() -> Opened {
    auto impl = std::make_unique<Impl>();
    try {
      impl->rdb = Xapian::Database(dir.string());
    } catch (const Xapian::DatabaseNotFoundError&) {
      return missing();
    }
    return std::unique_ptr<SearchIndex>(new SearchIndex(std::move(impl)));
  });
}

Result<std::unique_ptr<SearchIndex>> SearchIndex::open_remote(
    const std::vector<RemoteShard>& shards, std::chrono::milliseconds timeout) {
  if (shards.empty())
    return make_error(search_errors::shard_unavailable, "search: no remote shard configured");
  using Opened = Result<std::unique_ptr<SearchIndex>>;
  return guarded<Opened>("open the remote shards", [&]() -> Opened {
    auto impl = std::make_unique<Impl>();
    impl->remote = true;
    const auto ms = static_cast<useconds_t>(std::min<std::chrono::milliseconds::rep>(
        timeout.count(), std::numeric_limits<useconds_t>::max()));
    for (const auto& shard : shards) {
      try {
        impl->rdb.add_database(Xapian::Remote::open(shard.host, shard.port, ms, ms));
      } catch (const Xapian::Error& e) {
        return make_error(search_errors::shard_unavailable,
                          "search shard tcp://" + shard.host + ":" + std::to_string(shard.port) +
                              ": " + e.get_type() + ": " + e.get_msg());
      }
    }
    return std::unique_ptr<SearchIndex>(new SearchIndex(std::move(impl)));
  });
}

bool SearchIndex::usable() const { return !impl_->broken; }

Status SearchIndex::add(const IndexedAlert& alert) {
  if (!impl_->writable)
    return make_error("read_only", "search index: add() on an index opened read-only");
  if (!impl_->shard.holds(alert.id)) return Status::success();  // another shard's alert
  return guarded<Status>("add " + alert.id.hex(), [&] {
    impl_->wdb.replace_document(id_prefix + alert.id.hex(), impl_->make_document(alert));
    return Status::success();
  });
}

Status SearchIndex::remove(const Hash& id) {
  if (!impl_->writable)
    return make_error("read_only", "search index: remove() on an index opened read-only");
  return guarded<Status>("remove " + id.hex(), [&] {
    impl_->wdb.delete_document(id_prefix + id.hex());
    return Status::success();
  });
}

Status SearchIndex::commit() {
  if (!impl_->writable)
    return make_error("read_only", "search index: commit() on an index opened read-only");
  return guarded<Status>("commit", [&] {
    impl_->wdb.commit();
    return Status::success();
  });
}

Status SearchIndex::set_metadata(const std::string& key, const std::string& value) {
  if (!impl_->writable)
    return make_error("read_only", "search index: set_metadata() on an index opened read-only");
  return guarded<Status>("set metadata '" + key + "'", [&] {
    impl_->wdb.set_metadata(key, value);
    return Status::success();
  });
}

Result<std::string> SearchIndex::metadata(const std::string& key) const {
  return guarded<Result<std::string>>("read metadata '" + key + "'",
                                      [&] { return impl_->db().get_metadata(key); });
}

Status SearchIndex::refresh() {
  return guarded<Status>("refresh", [&]() -> Status {
    try {
      if (!impl_->writable) impl_->rdb.reopen();
    } catch (const Xapian::NetworkError& e) {
      impl_->broken = true;
      return make_error(search_errors::shard_unavailable,
                        shard_failure(e));
    }
    return Status::success();
  });
}

Result<std::uint64_t> SearchIndex::document_count() const {
  return guarded<Result<std::uint64_t>>("count documents",
                                        [&] { return std::uint64_t{impl_->db().get_doccount()}; });
}

Result<SearchResults> SearchIndex::search(const SearchRequest& request,
                                          const AlertLoader& load) const {
  if (is_blank(request.query)) return make_error(search_errors::bad_query, "the query is empty");
  if (auto problem = unbalanced(request.query))
    return make_error(search_errors::bad_query, *problem);
  return guarded<Result<SearchResults>>("search", [&]() -> Result<SearchResults> {
    for (int attempt = 1;; ++attempt) {
      try {
        return impl_->run(request, load);
      } catch (const Xapian::QueryParserError& e) {
        return make_error(search_errors::bad_query, explain_parse_error(e.get_msg()));
      } catch (const Xapian::NetworkError& e) {
        // A shard went away or timed out mid-search; the connection cannot be trusted after.
        impl_->broken = true;
        return make_error(search_errors::shard_unavailable,
                          shard_failure(e));
      } catch (const Xapian::DatabaseModifiedError&) {
        // A writer committed over the revision being read: read the newest one and try again.
        if (attempt == max_attempts) throw;
        auto reopened = guarded<Status>("search (reopen)", [&] {
          impl_->db().reopen();
          return Status::success();
        });
        if (!reopened) return reopened.error();
      }
    }
  });
}

}  // namespace ifex
