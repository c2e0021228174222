#include "node/archive/alert_catalog.hpp"

#include <algorithm>

#include "node/store/lmdb.hpp"

namespace ifex {

using lmdb::Cursor;
using lmdb::LmdbError;
using lmdb::Txn;

struct AlertCatalog::Dbis {
  MDB_dbi rows, facets, counts, clock, recent, meta, voided;
};

namespace {

void put_be(Bytes& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
std::uint64_t get_be(const std::uint8_t* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return v;
}

std::uint32_t date_number(const std::string& date) {  // "YYYY-MM-DD" -> YYYYMMDD
  if (date.size() != 10) return 0;
  return static_cast<std::uint32_t>(std::stoul(date.substr(0, 4)) * 10000 +
                                    std::stoul(date.substr(5, 2)) * 100 +
                                    std::stoul(date.substr(8, 2)));
}

// Built by resize-and-copy: GCC 12 warns falsely about vector::insert here at -O2.
void append(Bytes& out, ByteView tail) {
  std::size_t at = out.size();
  out.resize(at + tail.size());
  std::copy(tail.begin(), tail.end(), out.begin() + static_cast<std::ptrdiff_t>(at));
}

Bytes facet(char kind, ByteView value) {
  Bytes out(2);
  out[0] = static_cast<std::uint8_t>(kind);
  out[1] = static_cast<std::uint8_t>(value.size());
  append(out, value);
  return out;
}
Bytes facet(char kind, std::string_view value) { return facet(kind, as_bytes(value)); }

CatalogSortKey sort_key(std::uint32_t date, std::uint64_t created_ms, const Hash& id) {
  Bytes b;
  put_be(b, date, 4);
  put_be(b, created_ms, 8);
  append(b, id.view());
  CatalogSortKey key;
  std::copy(b.begin(), b.end(), key.begin());
  return key;
}

// The facets record of one alert: what a listing checks when it filters on more than the facet
// it scans.
struct Facets {
  std::uint32_t date = 0;
  PublicKey author;
  std::string country;
  std::vector<std::string> categories;
  std::vector<std::string> langs;
};

void put_string(Bytes& out, std::string_view s) {
  out.push_back(static_cast<std::uint8_t>(s.size()));
  append(out, as_bytes(s));
}
void put_strings(Bytes& out, const std::vector<std::string>& list) {
  out.push_back(static_cast<std::uint8_t>(list.size()));
  for (const auto& s : list) put_string(out, s);
}

Bytes encode_facets(const Facets& f) {
  Bytes out;
  put_be(out, f.date, 4);
  append(out, f.author.view());
  put_string(out, f.country);
  put_strings(out, f.categories);
  put_strings(out, f.langs);
  return out;
}

// The catalog writes these records itself; a damaged one is reported, never trusted.
struct Reader {
  ByteView in;
  std::size_t pos = 0;
  bool ok = true;
  ByteView take(std::size_t n) {
    if (!ok || in.size() - pos < n) {
      ok = false;
      return {};
    }
    auto v = in.subspan(pos, n);
    pos += n;
    return v;
  }
  std::string string() {
    auto n = take(1);
    if (!ok) return {};
    auto v = take(n[0]);
    return std::string(as_chars(v));
  }
  std::vector<std::string> strings() {
    auto n = take(1);
    std::vector<std::string> out;
    for (std::size_t i = 0; ok && i < (ok ? n[0] : 0); ++i) out.push_back(string());
    return out;
  }
};

std::optional<Facets> decode_facets(ByteView bytes) {
  Reader r{bytes};
  Facets f;
  auto date = r.take(4);
  if (r.ok) f.date = static_cast<std::uint32_t>(get_be(date.data(), 4));
  auto author = r.take(32);
  if (r.ok) f.author = *PublicKey::from(author);
  f.country = r.string();
  f.categories = r.strings();
  f.langs = r.strings();
  if (!r.ok || r.pos != bytes.size()) return std::nullopt;
  return f;
}

Facets facets_of(const CatalogAlert& a) {
  Facets f;
  f.date = date_number(alert_date(a.alert->event_date, a.created_ms));
  f.author = a.author;
  f.country = a.alert->country;
  f.categories = a.alert->categories;
  f.langs.push_back(a.alert->original.lang);
  for (const auto& t : a.alert->translations) f.langs.push_back(t.lang);
  return f;
}

std::vector<Bytes> facets_keys(const Facets& f) {
  std::vector<Bytes> keys{facet('*', std::string_view{}), facet('a', f.author.view()),
                          facet('c', f.country)};
  for (const auto& c : f.categories) keys.push_back(facet('k', c));
  for (const auto& l : f.langs) keys.push_back(facet('l', l));
  return keys;
}

// "YYYY" of a YYYYMMDD date.
std::string year_text(std::uint32_t date) {
  std::string year = std::to_string(date / 10000);
  year.insert(0, year.size() < 4 ? 4 - year.size() : 0, '0');
  return year;
}

// The year count of an alert (a count only: no rows are listed under it).
Bytes year_key(const Facets& f) { return facet('y', year_text(f.date)); }

// The pair counts of an alert: 'p' || facet A || facet B -> alerts under both, for every
// filterable facet A of the alert (author, country, category, language) and every other facet
// B of it (year too), so that a listing filtered by one facet reads its facet counts.
std::vector<Bytes> pair_keys(const Facets& f) {
  std::vector<Bytes> all = facets_keys(f);
  all.erase(all.begin());  // '*'
  std::vector<Bytes> out;
  out.reserve(all.size() * all.size());
  for (const auto& a : all) {
    for (const auto& b : all) {
      if (&a == &b) continue;
      Bytes key{'p'};
      append(key, a);
      append(key, b);
      out.push_back(std::move(key));
    }
    Bytes key{'p'};
    append(key, a);
    append(key, year_key(f));
    out.push_back(std::move(key));
  }
  return out;
}

// "YYYY-MM" of a YYYYMMDD date.
std::string month_text(std::uint32_t date) {
  const std::uint32_t month = date / 100 % 100;
  return year_text(date) + (month < 10 ? "-0" : "-") + std::to_string(month);
}

// The month count of an alert (a count only, like the year's).
Bytes month_key(const Facets& f) { return facet('m', month_text(f.date)); }

// The timeline's counts of an alert (alert_catalog.hpp): its month, 'p' || facet A || month
// for every filterable facet A, and 's' || facet A || period || category for A = '*' and every
// filterable facet A, each period (year, month) and each of its categories.
std::vector<Bytes> timeline_keys(const Facets& f) {
  const std::vector<Bytes> all = facets_keys(f);  // '*' first
  const Bytes periods[] = {year_key(f), month_key(f)};
  std::vector<Bytes> out{periods[1]};
  for (const auto& a : all) {
    if (a[0] != '*') {
      Bytes pair{'p'};
      append(pair, a);
      append(pair, periods[1]);
      out.push_back(std::move(pair));
    }
    for (const auto& period : periods) {
      for (const auto& c : f.categories) {
        Bytes key{'s'};
        append(key, a);
        append(key, period);
        append(key, facet('k', c));
        out.push_back(std::move(key));
      }
    }
  }
  return out;
}

// The kinds of facet counted (the order FacetCounts is filled in does not matter).
constexpr std::string_view facet_kinds = "ackly";

// Sets the count of one facet key (kind || len || value) in `out`.
void put_count(FacetCounts& out, ByteView facet_key, std::uint64_t n) {
  if (facet_key.size() < 2 || facet_key.size() != 2u + facet_key[1]) return;
  const std::string value(as_chars(facet_key.subspan(2)));
  switch (facet_key[0]) {
    case 'a':
      if (auto author = PublicKey::from(facet_key.subspan(2))) out.author[author->hex()] = n;
      break;
    case 'c':
      if (!value.empty()) out.country[value] = n;
      break;
    case 'k': out.category[value] = n; break;
    case 'l': out.lang[value] = n; break;
    case 'y': out.year[value] = n; break;
    default: break;
  }
}

// Reads the counts under `prefix` || `kind` (a facet follows the prefix) into `out`.
void read_counts(const Txn& txn, MDB_dbi counts, const Bytes& prefix, char kind,
                 FacetCounts& out) {
  Bytes start = prefix;
  start.push_back(static_cast<std::uint8_t>(kind));
  Cursor cur(txn, counts);
  MDB_val k, v;
  for (bool more = cur.seek(start, &k, &v); more; more = cur.get(MDB_NEXT, &k, &v)) {
    auto key = lmdb::view(k);
    if (key.size() < start.size() || !std::equal(start.begin(), start.end(), key.begin())) break;
    if (v.mv_size != 8) continue;
    const std::uint64_t n = get_be(lmdb::view(v).data(), 8);
    if (n > 0) put_count(out, key.subspan(prefix.size()), n);  // 0: all of them were removed
  }
}

// Counts one alert's facets into `out`.
void tally(FacetCounts& out, const Facets& f) {
  ++out.total;
  if (!f.country.empty()) ++out.country[f.country];
  for (const auto& c : f.categories) ++out.category[c];
  for (const auto& l : f.langs) ++out.lang[l];
  ++out.author[f.author.hex()];
  ++out.year[year_text(f.date)];
}

// The facets a listing can scan, given its filters (each alert has exactly one row in each).
std::vector<Bytes> candidate_facets(const AlertFilters& filters) {
  std::vector<Bytes> out;
  if (filters.author) out.push_back(facet('a', filters.author->view()));
  if (!filters.country.empty()) out.push_back(facet('c', filters.country));
  if (!filters.category.empty()) out.push_back(facet('k', filters.category));
  if (!filters.lang.empty()) out.push_back(facet('l', filters.lang));
  if (out.empty()) out.push_back(facet('*', std::string_view{}));
  return out;
}

bool matches(const Facets& f, const AlertFilters& filters) {
  auto has = [](const std::vector<std::string>& list, const std::string& v) {
    return std::find(list.begin(), list.end(), v) != list.end();
  };
  if (filters.author && f.author != *filters.author) return false;
  if (!filters.country.empty() && f.country != filters.country) return false;
  if (!filters.category.empty() && !has(f.categories, filters.category)) return false;
  if (!filters.lang.empty() && !has(f.langs, filters.lang)) return false;
  return true;
}

// Scopes of the `recent` rows (alert_catalog.hpp).
constexpr std::uint8_t scope_new = 'N';
constexpr std::uint8_t scope_everything = 'E';
constexpr std::size_t recent_key_bytes = 8 + 32;  // created_ms || id

constexpr std::string_view layout_key = "layout";
constexpr std::string_view current_layout = "4";

Bytes scoped(std::uint8_t scope, const Bytes& facet_key) {
  Bytes out{scope};
  append(out, facet_key);
  return out;
}

// Imported from the pre-federation archive: kept out of "new" in feeds unless asked for.
bool is_archive_record(const Alert& alert) { return !alert.legacy_id.empty(); }

std::uint64_t read_u64(const Txn& txn, MDB_dbi dbi, ByteView key) {
  auto v = txn.get(dbi, key);
  return v && v->size() == 8 ? get_be(v->data(), 8) : 0;
}

// The candidate facet with the fewest alerts: the one whose rows a walk reads least of.
Bytes most_selective(const Txn& txn, MDB_dbi counts, const std::vector<Bytes>& candidates) {
  Bytes prefix = candidates.front();
  std::uint64_t fewest = read_u64(txn, counts, prefix);
  for (const auto& c : candidates)
    if (auto n = read_u64(txn, counts, c); n < fewest) fewest = n, prefix = c;
  return prefix;
}

// Hands `visit` the record of each alert under `prefix` dated from..to, oldest first, reading
// at most max_scanned rows. True when every row was read, false when the bound cut it short.
template <class Visit>
Result<bool> walk_dated_rows(const Txn& txn, MDB_dbi rows, MDB_dbi facets, const Bytes& prefix,
                             std::uint32_t from, std::uint32_t to, std::size_t max_scanned,
                             Visit&& visit) {
  if (from > to) return true;
  Bytes seek = prefix;
  put_be(seek, from, 4);
  Cursor cur(txn, rows);
  MDB_val k, v;
  std::size_t scanned = 0;
  for (bool more = cur.seek(seek, &k, &v); more; more = cur.get(MDB_NEXT, &k, &v)) {
    auto key = lmdb::view(k);
    if (key.size() != prefix.size() + 44 || !std::equal(prefix.begin(), prefix.end(), key.begin()))
      break;
    if (get_be(key.data() + prefix.size(), 4) > to) break;
    if (scanned == max_scanned) return false;
    ++scanned;
    auto record = txn.get(facets, key.subspan(key.size() - 32));
    auto f = record ? decode_facets(*record) : std::nullopt;
    if (!f) return make_error("catalog", "a damaged record in the alert catalog; `ifexnode "
                                         "reindex` rebuilds it from the store");
    visit(*f);
  }
  return true;
}

void write_u64(Txn& txn, MDB_dbi dbi, ByteView key, std::uint64_t value) {
  Bytes v;
  put_be(v, value, 8);
  txn.put(dbi, key, v);
}

Error catalog_error(const LmdbError& e) {
  return make_error("catalog", "the alert catalog (index/catalog): " + e.message() +
                                   "; `ifexnode reindex` rebuilds it from the store");
}

std::optional<CatalogSortKey> parse_cursor(const std::string& text) {
  auto bytes = from_hex(text);
  if (!bytes || bytes->size() != CatalogSortKey{}.size()) return std::nullopt;
  CatalogSortKey key;
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return key;
}

// The `recent` rows of one alert (alert_catalog.hpp), with their counts.
void add_recent(Txn& txn, MDB_dbi recent, MDB_dbi counts, const Facets& f, const CatalogAlert& a) {
  Bytes tail;
  put_be(tail, a.created_ms, 8);
  append(tail, a.id.view());
  std::vector<std::uint8_t> scopes{scope_everything};
  if (!is_archive_record(*a.alert)) scopes.push_back(scope_new);
  for (auto scope : scopes) {
    for (const auto& facet_key : facets_keys(f)) {
      Bytes prefix = scoped(scope, facet_key);
      // Sized once, then copied into: GCC 12 warns falsely when the row grows from a copy.
      Bytes row(prefix.size() + tail.size());
      std::copy(prefix.begin(), prefix.end(), row.begin());
      std::copy(tail.begin(), tail.end(), row.begin() + static_cast<std::ptrdiff_t>(prefix.size()));
      txn.put(recent, row, {});
      write_u64(txn, counts, prefix, read_u64(txn, counts, prefix) + 1);
    }
  }
}

void decrement(Txn& txn, MDB_dbi counts, ByteView key) {
  const std::uint64_t n = read_u64(txn, counts, key);
  if (n > 0) write_u64(txn, counts, key, n - 1);
}

// Undoes add() and add_recent() for one alert, from its facets record.
void remove_rows(Txn& txn, const AlertCatalog::Dbis& d, const Facets& f, const Hash& id,
                 std::uint64_t created_ms) {
  const auto key = sort_key(f.date, created_ms, id);
  Bytes tail;
  put_be(tail, created_ms, 8);
  append(tail, id.view());
  for (const auto& prefix : facets_keys(f)) {
    Bytes row = prefix;
    append(row, key);
    if (txn.del(d.rows, row)) decrement(txn, d.counts, prefix);
    for (std::uint8_t scope : {scope_everything, scope_new}) {
      Bytes scoped_prefix = scoped(scope, prefix);
      // Sized once, then copied into (GCC 12's false warning, as in add_recent).
      Bytes recent_row(scoped_prefix.size() + tail.size());
      std::copy(scoped_prefix.begin(), scoped_prefix.end(), recent_row.begin());
      std::copy(tail.begin(), tail.end(),
                recent_row.begin() + static_cast<std::ptrdiff_t>(scoped_prefix.size()));
      if (txn.del(d.recent, recent_row)) decrement(txn, d.counts, scoped_prefix);
    }
  }
  decrement(txn, d.counts, year_key(f));
  for (const auto& pair : pair_keys(f)) decrement(txn, d.counts, pair);
  for (const auto& count_key : timeline_keys(f)) decrement(txn, d.counts, count_key);
  txn.del(d.facets, id.view());
}

// A table of author -> seq (u64), whole: the clock and the voided keys.
Result<std::map<PublicKey, std::uint64_t>> read_author_seqs(const lmdb::Env& env, MDB_dbi dbi) {
  try {
    Txn txn(env, Txn::read_only);
    Cursor cur(txn, dbi);
    std::map<PublicKey, std::uint64_t> out;
    MDB_val k, v;
    for (bool more = cur.get(MDB_FIRST, &k, &v); more; more = cur.get(MDB_NEXT, &k, &v)) {
      auto key = PublicKey::from(lmdb::view(k));
      if (key && v.mv_size == 8) out[*key] = get_be(lmdb::view(v).data(), 8);
    }
    return out;
  } catch (const LmdbError& e) {
    return catalog_error(e);
  }
}

}  // namespace

AlertCatalog::AlertCatalog() : env_(std::make_unique<lmdb::Env>()), dbis_(std::make_unique<Dbis>()) {}
AlertCatalog::~AlertCatalog() = default;

Result<std::unique_ptr<AlertCatalog>> AlertCatalog::open(const std::filesystem::path& dir,
                                                         std::size_t map_size) {
  std::unique_ptr<AlertCatalog> catalog(new AlertCatalog());
  try {
    catalog->env_->open(dir, map_size, 8);
    Txn txn(*catalog->env_, Txn::read_write);
    auto& d = *catalog->dbis_;
    d.rows = lmdb::open_dbi(txn.get(), "rows");
    d.facets = lmdb::open_dbi(txn.get(), "facets");
    d.counts = lmdb::open_dbi(txn.get(), "counts");
    d.clock = lmdb::open_dbi(txn.get(), "clock");
    d.recent = lmdb::open_dbi(txn.get(), "recent");
    d.meta = lmdb::open_dbi(txn.get(), "meta");
    d.voided = lmdb::open_dbi(txn.get(), "voided");
    auto layout = txn.get(d.meta, as_bytes(layout_key));
    if (!layout || as_chars(*layout) != current_layout) {
      // Written by an older version (no `recent` rows): a derived index, so it is emptied and
      // the indexer, seeing an empty clock, rebuilds it from the store. The store is untouched.
      MDB_stat stat;
      lmdb::check(mdb_stat(txn.get(), d.facets, &stat), "mdb_stat");
      catalog->rebuilt_ = stat.ms_entries > 0;
      for (MDB_dbi dbi : {d.rows, d.facets, d.counts, d.clock, d.recent, d.voided})
        lmdb::check(mdb_drop(txn.get(), dbi, 0), "mdb_drop");
      txn.put(d.meta, as_bytes(layout_key), as_bytes(current_layout));
    }
    txn.commit();
  } catch (const LmdbError& e) {
    return catalog_error(e);
  } catch (const std::filesystem::filesystem_error& e) {
    return make_error("catalog", std::string("cannot create the catalog directory: ") + e.what());
  }
  return catalog;
}

Status AlertCatalog::add(const std::vector<CatalogAlert>& alerts,
                         const std::map<PublicKey, std::uint64_t>& clock_updates) {
  try {
    Txn txn(*env_, Txn::read_write);
    const auto& d = *dbis_;
    for (const auto& a : alerts) {
      if (txn.get(d.facets, a.id.view())) continue;  // already listed
      Facets f = facets_of(a);
      txn.put(d.facets, a.id.view(), encode_facets(f));
      auto key = sort_key(f.date, a.created_ms, a.id);
      // Facets never repeat: decoded alerts are canonical (unique categories, translations in
      // languages other than the original's, each once).
      for (auto& prefix : facets_keys(f)) {
        Bytes row = prefix;
        append(row, key);
        txn.put(d.rows, row, {});
        write_u64(txn, d.counts, prefix, read_u64(txn, d.counts, prefix) + 1);
      }
      const Bytes year = year_key(f);
      write_u64(txn, d.counts, year, read_u64(txn, d.counts, year) + 1);
      for (const auto& pair : pair_keys(f))
        write_u64(txn, d.counts, pair, read_u64(txn, d.counts, pair) + 1);
      for (const auto& count_key : timeline_keys(f))
        write_u64(txn, d.counts, count_key, read_u64(txn, d.counts, count_key) + 1);
      add_recent(txn, d.recent, d.counts, f, a);
    }
    for (const auto& [author, seq] : clock_updates)
      if (seq > read_u64(txn, d.clock, author.view())) write_u64(txn, d.clock, author.view(), seq);
    txn.commit();
  } catch (const LmdbError& e) {
    return catalog_error(e);
  }
  return Status::success();
}

Status AlertCatalog::remove(const std::vector<CatalogRemoval>& alerts,
                            const std::map<PublicKey, std::uint64_t>& voids) {
  try {
    Txn txn(*env_, Txn::read_write);
    const auto& d = *dbis_;
    for (const auto& a : alerts) {
      auto record = txn.get(d.facets, a.id.view());
      if (!record) continue;  // never listed, or removed already
      auto f = decode_facets(*record);
      if (!f) return make_error("catalog", "a damaged record in the alert catalog; `ifexnode "
                                           "reindex` rebuilds it from the store");
      remove_rows(txn, d, *f, a.id, a.created_ms);
    }
    for (const auto& [author, after] : voids) write_u64(txn, d.voided, author.view(), after);
    txn.commit();
  } catch (const LmdbError& e) {
    return catalog_error(e);
  }
  return Status::success();
}

Result<std::map<PublicKey, std::uint64_t>> AlertCatalog::voided() const {
  return read_author_seqs(*env_, dbis_->voided);
}

Result<CatalogPage> AlertCatalog::list(const AlertFilters& filters, std::size_t limit,
                                       const std::string& cursor, std::size_t max_scanned) const {
  std::optional<CatalogSortKey> after;
  if (!cursor.empty()) {
    after = parse_cursor(cursor);
    if (!after) return make_error("bad_cursor", "the cursor is not one this node gave out");
  }
  const std::uint32_t from = filters.from_date.empty() ? 0 : date_number(filters.from_date);
  const std::uint32_t to = filters.to_date.empty() ? 0xFFFFFFFF : date_number(filters.to_date);
  try {
    Txn txn(*env_, Txn::read_only);
    const auto& d = *dbis_;
    // Scan the facet with the fewest rows; check the other filters on each alert's record.
    auto candidates = candidate_facets(filters);
    Bytes prefix = most_selective(txn, d.counts, candidates);
    bool single_facet = candidates.size() == 1;

    // Start just below the cursor (exclusive) or at the end of the date range.
    CatalogSortKey start;
    if (after) {
      start = *after;
    } else {
      start.fill(0xFF);
      auto upper = sort_key(to, ~std::uint64_t{0}, Hash{});
      std::copy(upper.begin(), upper.begin() + 12, start.begin());
    }
    Bytes seek = prefix;
    append(seek, start);

    CatalogPage page;
    Cursor cur(txn, d.rows);
    MDB_val k, v;
    bool positioned = cur.seek(seek, &k, &v) ? cur.get(MDB_PREV, &k, &v) : cur.get(MDB_LAST, &k, &v);
    std::size_t scanned = 0;
    CatalogSortKey last_seen{};
    bool stopped_early = false;
    for (bool more = positioned; more; more = cur.get(MDB_PREV, &k, &v)) {
      auto key = lmdb::view(k);
      if (key.size() != prefix.size() + 44 || !std::equal(prefix.begin(), prefix.end(), key.begin()))
        break;
      CatalogRow row;
      std::copy(key.end() - 44, key.end(), row.sort_key.begin());
      if (get_be(row.sort_key.data(), 4) < from) break;
      if (page.rows.size() == limit || scanned == max_scanned) {
        stopped_early = true;
        break;
      }
      ++scanned;
      last_seen = row.sort_key;
      row.id = *Hash::from(ByteView(row.sort_key).subspan(12, 32));
      if (!single_facet) {
        auto record = txn.get(d.facets, row.id.view());
        auto f = record ? decode_facets(*record) : std::nullopt;
        if (!f) return make_error("catalog", "a damaged record in the alert catalog; `ifexnode "
                                             "reindex` rebuilds it from the store");
        if (!matches(*f, filters)) continue;
      }
      page.rows.push_back(row);
    }
    if (stopped_early) page.next_cursor = to_hex(last_seen);
    return page;
  } catch (const LmdbError& e) {
    return catalog_error(e);
  }
}

Result<std::vector<Hash>> AlertCatalog::list_recent(const AlertFilters& filters,
                                                    std::size_t limit, bool include_archive,
                                                    std::size_t max_scanned) const {
  const std::uint32_t from = filters.from_date.empty() ? 0 : date_number(filters.from_date);
  const std::uint32_t to = filters.to_date.empty() ? 0xFFFFFFFF : date_number(filters.to_date);
  const bool dated = !filters.from_date.empty() || !filters.to_date.empty();
  const std::uint8_t scope = include_archive ? scope_everything : scope_new;
  try {
    Txn txn(*env_, Txn::read_only);
    const auto& d = *dbis_;
    auto candidates = candidate_facets(filters);
    Bytes prefix = scoped(scope, candidates.front());
    std::uint64_t fewest = read_u64(txn, d.counts, prefix);
    for (const auto& c : candidates) {
      Bytes p = scoped(scope, c);
      if (auto n = read_u64(txn, d.counts, p); n < fewest) fewest = n, prefix = std::move(p);
    }
    const bool check_record = candidates.size() > 1 || dated;

    // The last row under the prefix: seek just past it, then step back.
    Bytes seek = prefix;
    seek.resize(prefix.size() + recent_key_bytes, 0xFF);
    std::vector<Hash> out;
    Cursor cur(txn, d.recent);
    MDB_val k, v;
    bool positioned =
        cur.seek(seek, &k, &v) ? cur.get(MDB_PREV, &k, &v) : cur.get(MDB_LAST, &k, &v);
    std::size_t scanned = 0;
    for (bool more = positioned; more && out.size() < limit && scanned < max_scanned;
         more = cur.get(MDB_PREV, &k, &v)) {
      auto key = lmdb::view(k);
      if (key.size() != prefix.size() + recent_key_bytes ||
          !std::equal(prefix.begin(), prefix.end(), key.begin()))
        break;
      ++scanned;
      Hash id = *Hash::from(key.subspan(key.size() - 32));
      if (check_record) {
        auto record = txn.get(d.facets, id.view());
        auto f = record ? decode_facets(*record) : std::nullopt;
        if (!f) return make_error("catalog", "a damaged record in the alert catalog; `ifexnode "
                                             "reindex` rebuilds it from the store");
        if (!matches(*f, filters) || f->date < from || f->date > to) continue;
      }
      out.push_back(id);
    }
    return out;
  } catch (const LmdbError& e) {
    return catalog_error(e);
  }
}

Result<FacetCounts> AlertCatalog::facet_counts(const AlertFilters& filters,
                                               std::size_t max_scanned) const {
  FacetCounts out;
  try {
    Txn txn(*env_, Txn::read_only);
    const auto& d = *dbis_;
    if (filters.empty()) {
      // Every facet value's count is kept: read them, no alert is visited.
      out.total = read_u64(txn, d.counts, facet('*', std::string_view{}));
      for (char kind : facet_kinds) read_counts(txn, d.counts, {}, kind, out);
      return out;
    }
    const bool dated = !filters.from_date.empty() || !filters.to_date.empty();
    auto candidates = candidate_facets(filters);
    if (!dated && candidates.size() == 1) {
      // One facet: its pair counts hold the others; its own count is the total.
      const Bytes& only = candidates.front();
      out.total = read_u64(txn, d.counts, only);
      Bytes pairs{'p'};
      append(pairs, only);
      for (char kind : facet_kinds) read_counts(txn, d.counts, pairs, kind, out);
      if (out.total > 0) put_count(out, only, out.total);
      return out;
    }
    // A combination the counts do not hold: walk the most selective facet's rows, oldest
    // first from the start of the date range, checking each alert's record as list() does.
    const Bytes prefix = most_selective(txn, d.counts, candidates);
    const std::uint32_t from = filters.from_date.empty() ? 0 : date_number(filters.from_date);
    const std::uint32_t to = filters.to_date.empty() ? 0xFFFFFFFF : date_number(filters.to_date);
    auto whole = walk_dated_rows(txn, d.rows, d.facets, prefix, from, to, max_scanned,
                                 [&](const Facets& f) {
                                   if (matches(f, filters)) tally(out, f);
                                 });
    if (!whole) return whole.error();
    if (!*whole) out.exact = false;
    return out;
  } catch (const LmdbError& e) {
    return catalog_error(e);
  }
}

namespace {

// Reads the counts whose keys are `base` || a period facet (year or month) [|| a category
// facet], for the periods starting with `period_start`, into `out`.
void read_timeline_counts(const Txn& txn, MDB_dbi counts, const Bytes& base,
                          const Bytes& period_start, bool by_category, TimelineCounts& out) {
  Bytes start = base;
  append(start, period_start);
  Cursor cur(txn, counts);
  MDB_val k, v;
  for (bool more = cur.seek(start, &k, &v); more; more = cur.get(MDB_NEXT, &k, &v)) {
    auto key = lmdb::view(k);
    if (key.size() < start.size() || !std::equal(start.begin(), start.end(), key.begin())) break;
    if (v.mv_size != 8) continue;
    const std::uint64_t n = get_be(lmdb::view(v).data(), 8);
    auto rest = key.subspan(base.size());  // period facet [|| category facet]
    if (n == 0 || rest.size() < 2 || rest.size() < 2u + rest[1]) continue;  // 0: all removed
    const std::string period(as_chars(rest.subspan(2, rest[1])));
    auto tail = rest.subspan(2u + rest[1]);
    if (!by_category) {
      if (tail.empty()) out.total[period] = n;
    } else if (tail.size() >= 2 && tail[0] == 'k' && tail.size() == 2u + tail[1]) {
      out.by_category[period][std::string(as_chars(tail.subspan(2)))] = n;
    }
  }
}

}  // namespace

Result<TimelineCounts> AlertCatalog::timeline(const AlertFilters& filters, std::optional<int> year,
                                              bool by_category, std::size_t max_scanned) const {
  if (year && (*year < 0 || *year > 9999)) return make_error("bad_parameter", "year out of range");
  TimelineCounts out;
  // The period facets to read: every year, or the months of `year` ('m' || 7 || "YYYY-").
  Bytes period_start{'y'};
  if (year) {
    period_start = facet('m', year_text(static_cast<std::uint32_t>(*year) * 10000) + "-");
    period_start[1] = 7;  // the length of "YYYY-MM": the months' keys start with these bytes
  }
  try {
    Txn txn(*env_, Txn::read_only);
    const auto& d = *dbis_;
    const bool dated = !filters.from_date.empty() || !filters.to_date.empty();
    auto candidates = candidate_facets(filters);
    if (!dated && candidates.size() == 1) {
      // None or one facet filter: every count is kept (top-level periods, pairs, and the 's'
      // counts by category).
      const Bytes& only = candidates.front();  // '*' without filters
      const bool unfiltered = only[0] == '*';
      Bytes base;
      if (!unfiltered) {
        base.push_back('p');
        append(base, only);
      }
      read_timeline_counts(txn, d.counts, base, period_start, false, out);
      if (by_category) {
        Bytes stacked{'s'};
        append(stacked, only);
        read_timeline_counts(txn, d.counts, stacked, period_start, true, out);
      }
      return out;
    }
    // A combination the counts do not hold: walk the most selective facet's rows within the
    // date range (and the year), checking each alert's record as facet_counts() does.
    const Bytes prefix = most_selective(txn, d.counts, candidates);
    std::uint32_t from = filters.from_date.empty() ? 0 : date_number(filters.from_date);
    std::uint32_t to = filters.to_date.empty() ? 0xFFFFFFFF : date_number(filters.to_date);
    if (year) {
      from = std::max<std::uint32_t>(from, static_cast<std::uint32_t>(*year) * 10000 + 101);
      to = std::min<std::uint32_t>(to, static_cast<std::uint32_t>(*year) * 10000 + 1231);
    }
    auto whole = walk_dated_rows(txn, d.rows, d.facets, prefix, from, to, max_scanned,
                                 [&](const Facets& f) {
                                   if (!matches(f, filters)) return;
                                   const std::string period =
                                       year ? month_text(f.date) : year_text(f.date);
                                   ++out.total[period];
                                   if (by_category)
                                     for (const auto& c : f.categories)
                                       ++out.by_category[period][c];
                                 });
    if (!whole) return whole.error();
    if (!*whole) out.exact = false;
    return out;
  } catch (const LmdbError& e) {
    return catalog_error(e);
  }
}

Result<std::map<PublicKey, std::uint64_t>> AlertCatalog::clock() const {
  return read_author_seqs(*env_, dbis_->clock);
}

Result<std::uint64_t> AlertCatalog::count() const {
  try {
    Txn txn(*env_, Txn::read_only);
    return read_u64(txn, dbis_->counts, facet('*', std::string_view{}));
  } catch (const LmdbError& e) {
    return catalog_error(e);
  }
}

Result<std::uint64_t> AlertCatalog::version() const {
  MDB_envinfo info;
  int rc = mdb_env_info(env_->get(), &info);
  if (rc != MDB_SUCCESS) return catalog_error(LmdbError{rc, "mdb_env_info"});
  return static_cast<std::uint64_t>(info.me_last_txnid);
}

}  // namespace ifex
