// The archive import on a real temporary LMDB: the fixture goes in whole with its dates,
// translations and provenance; a second run adds nothing; bad lines are reported by number and
// the rest goes in; each batch is durable and a failed run resumes.
#include "node/import/archive_import.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <memory>

#include "node/import/legacy_record.hpp"
#include "tests/support/temp_dir.hpp"

namespace ifex {
namespace {

using test::TempDir;

const std::filesystem::path fixture = IFEX_FIXTURES_DIR "/legacy_fixture.jsonl";

std::unique_ptr<Store> open_store(const std::filesystem::path& dir,
                                  std::size_t map_size = std::size_t{64} << 20) {
  StoreOptions options;
  options.dir = dir;
  options.map_size = map_size;
  auto store = Store::open(options);
  INFO((store ? "" : store.error().message));
  REQUIRE(store);
  return std::move(*store);
}

Identity test_identity() {
  return Identity::from_seed(Bytes(Identity::seed_size, 7));
}

ArchiveImportReport import_ok(Store& store, const Identity& id, const std::filesystem::path& file,
                              ArchiveImportOptions options = {}) {
  auto report = import_archive(store, id, file, options);
  INFO((report ? "" : report.error().message));
  REQUIRE(report);
  return std::move(*report);
}

// The alerts of `author`'s log in seq order.
std::vector<Alert> own_alerts(const Store& store, const PublicKey& author) {
  auto entries = store.log_range(author, 1, 100000);
  REQUIRE(entries);
  std::vector<Alert> out;
  for (const SignedEntry& e : *entries) {
    REQUIRE(e.kind() == EntryKind::alert);
    auto alert = decode_alert(e.payload());
    REQUIRE(alert);
    out.push_back(std::move(*alert));
  }
  return out;
}

void write_lines(const std::filesystem::path& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::binary);
  for (const auto& l : lines) out << l << "\n";
  REQUIRE(out.good());
}

boost::json::object record_object(const std::string& legacy_id, const std::string& date,
                                  const std::string& body) {
  return {{"legacy_id", legacy_id},
          {"date", date},
          {"country", "EG"},
          {"lang", "en"},
          {"categories", boost::json::array{"detention"}},
          {"title", "Title of " + legacy_id},
          {"summary", "Summary."},
          {"body", body}};
}

std::string record(const std::string& legacy_id, const std::string& date = "2001-02-03",
                   const std::string& body = "Body text.") {
  return boost::json::serialize(record_object(legacy_id, date, body));
}

// Valid as an alert (each text within its limit) but over max_entry_bytes once signed.
std::string oversized_record(const std::string& legacy_id) {
  boost::json::object r = record_object(legacy_id, "2001-02-03", std::string(40000, 'z'));
  r["translations"] = boost::json::object{
      {"fr", boost::json::object{{"title", "Titre"}, {"body", std::string(40000, 'w')}}}};
  return boost::json::serialize(r);
}

std::vector<std::string> synthetic(std::size_t n, std::size_t body_bytes = 200) {
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < n; ++i)
    lines.push_back(record("synthetic-" + std::to_string(i), "2010-01-01",
                           std::string(body_bytes, static_cast<char>('a' + i % 26))));
  return lines;
}

TEST_CASE("the fixture imports whole, with dates, translations, tags and provenance",
          "[import][archive]") {
  TempDir dir("archive");
  auto store = open_store(dir / "store");
  const Identity id = test_identity();
  std::uint64_t started = 0, progressed = 0;
  ArchiveImportOptions options;
  options.batch_entries = 5;
  options.clock = [] { return std::uint64_t{1'800'000'000'000}; };
  options.on_start = [&](std::uint64_t lines) { started = lines; };
  options.on_progress = [&](std::uint64_t lines) { progressed += lines; };
  ArchiveImportReport report = import_ok(*store, id, fixture, options);

  CHECK(report.lines == 16);
  CHECK(report.imported == 16);
  CHECK(report.skipped_duplicates == 0);
  CHECK(report.rejected_count == 0);
  CHECK(report.rejected.empty());
  CHECK(started == 16);
  CHECK(progressed == 16);
  CHECK(*store->entry_count() == 16);

  // In file order, one entry per line, each as the parser reads that line.
  std::ifstream in(fixture);
  std::vector<Alert> expected;
  for (std::string line; std::getline(in, line);) expected.push_back(*parse_legacy_record(line));
  const std::vector<Alert> stored = own_alerts(*store, id.public_key());
  REQUIRE(stored.size() == expected.size());
  for (std::size_t i = 0; i < stored.size(); ++i) CHECK(stored[i] == expected[i]);

  std::map<std::string, const Alert*> by_id;
  for (const Alert& a : stored) by_id[a.legacy_id] = &a;
  REQUIRE(by_id.size() == 16);
  std::map<std::string, int> per_lang;
  for (const Alert& a : stored) {
    ++per_lang[a.original.lang];
    CHECK(std::count(a.tags.begin(), a.tags.end(), std::string(legacy_archive_tag)) == 1);
  }
  CHECK(per_lang == std::map<std::string, int>{{"ar", 4}, {"en", 4}, {"es", 4}, {"fr", 4}});
  const Alert& mx = *by_id.at("ifex-2017-01302");
  CHECK(mx.event_date == "2017-05-15");
  CHECK(mx.country == "MX");
  REQUIRE(mx.translations.size() == 2);
  CHECK(mx.translations[0].lang == "en");
  CHECK(mx.translations[1].lang == "fr");
  CHECK(mx.translations[0].title == "Reporter killed in Sinaloa, the fifth case this year");
  const Alert& eg = *by_id.at("ifex-2014-00318");
  CHECK(eg.event_date == "2014-06-22");
  CHECK_THAT(eg.original.title, Catch::Contains("اعتقال الصحفيين"));
  CHECK(by_id.at("ifex-2019-00871")->tags ==
        std::vector<std::string>{"keepiton", std::string(legacy_archive_tag)});
  CHECK(by_id.at("ifex-1997-00209")->event_date == "1997-09-30");

  // The importing node is the author; created times come from the clock given.
  auto entries = store->log_range(id.public_key(), 1, 100);
  REQUIRE(entries);
  for (const SignedEntry& e : *entries) {
    CHECK(e.author() == id.public_key());
    CHECK(e.created_ms() == 1'800'000'000'000);
  }
  auto verify = store->verify();
  REQUIRE(verify);
  CHECK(verify->faults.empty());
  CHECK(verify->entries_checked == 16);
}

TEST_CASE("importing the same file again adds nothing", "[import][archive]") {
  TempDir dir("archive-again");
  auto store = open_store(dir / "store");
  const Identity id = test_identity();
  REQUIRE(import_ok(*store, id, fixture).imported == 16);
  auto head = store->head(id.public_key());
  REQUIRE(head);

  ArchiveImportReport again = import_ok(*store, id, fixture);
  CHECK(again.imported == 0);
  CHECK(again.skipped_duplicates == 16);
  CHECK(again.rejected_count == 0);
  CHECK(*store->entry_count() == 16);
  CHECK(store->head(id.public_key())->value().id == head->value().id);

  // A file that overlaps: only the new records go in, after the ones already held.
  const auto extended = dir / "extended.jsonl";
  std::ifstream in(fixture);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  lines.insert(lines.begin() + 3, record("ifex-new-1"));
  lines.push_back(record("ifex-new-2"));
  write_lines(extended, lines);
  ArchiveImportReport more = import_ok(*store, id, extended);
  CHECK(more.imported == 2);
  CHECK(more.skipped_duplicates == 16);
  CHECK(*store->entry_count() == 18);
  CHECK(legacy_ids_in_log(*store, id.public_key())->count("ifex-new-1") == 1);

  // Another node's log does not count: the same file imports whole under another key.
  const Identity other = Identity::from_seed(Bytes(Identity::seed_size, 9));
  CHECK(import_ok(*store, other, fixture).imported == 16);
}

TEST_CASE("bad lines are reported by line number and the rest goes in", "[import][archive]") {
  TempDir dir("archive-bad");
  auto store = open_store(dir / "store");
  const Identity id = test_identity();
  const auto file = dir / "mixed.jsonl";
  write_lines(file, {
                        "\xEF\xBB\xBF" + record("good-1"),                    // 1 (BOM)
                        "{\"legacy_id\": \"broken\", ",                       // 2
                        record("good-2"),                                     // 3
                        record("bad-date", "2001-13-01"),                     // 4
                        "",                                                   // 5 blank
                        record("good-1"),                                     // 6 repeat
                        "   \t",                                              // 7 blank
                        record("big", "2001-02-03", std::string(3000, 'y')),  // 8 too long line
                        "[]",                                                 // 9
                        record("good-3") + "\r",                              // 10 CRLF
                        oversized_record("huge"),                             // 11 too large
                    });
  ArchiveImportOptions options;
  options.max_line_bytes = 2048;
  ArchiveImportReport report = import_ok(*store, id, file, options);
  CHECK(report.lines == 11);
  CHECK(report.imported == 3);
  CHECK(report.skipped_duplicates == 0);
  CHECK(report.rejected_count == 6);
  std::vector<std::pair<std::uint64_t, std::string>> got;
  for (const auto& r : report.rejected) got.emplace_back(r.line, r.code);
  CHECK(got == std::vector<std::pair<std::uint64_t, std::string>>{{2, "invalid_json"},
                                                                  {4, "invalid_field"},
                                                                  {6, "repeated_legacy_id"},
                                                                  {8, "too_long"},
                                                                  {9, "not_an_object"},
                                                                  {11, "too_long"}});
  REQUIRE(report.rejected.size() == 6);
  CHECK_THAT(report.rejected[1].reason, Catch::StartsWith("date:"));
  CHECK_THAT(report.rejected[2].reason, Catch::Contains("repeats line 1"));
  CHECK_THAT(report.rejected[3].reason, Catch::Contains("2048 bytes"));
  const auto ids = legacy_ids_in_log(*store, id.public_key());
  REQUIRE(ids);
  CHECK(*ids == std::unordered_set<std::string>{"good-1", "good-2", "good-3"});

  // An alert valid by itself but too large once signed is refused before signing.
  ArchiveImportOptions roomy;
  roomy.max_line_bytes = std::size_t{1} << 20;
  ArchiveImportReport second = import_ok(*store, id, file, roomy);
  CHECK(second.imported == 1);  // "big" now fits the line limit
  CHECK(second.skipped_duplicates == 3);
  REQUIRE(second.rejected.size() == 5);
  CHECK(second.rejected[4].line == 11);
  CHECK(second.rejected[4].code == "too_large");
  CHECK_THAT(second.rejected[4].reason, Catch::Contains("max_entry_bytes"));

  // The listed rejections are capped, the count is not.
  ArchiveImportOptions capped;
  capped.max_listed_rejections = 2;
  ArchiveImportReport third = import_ok(*store, id, file, capped);
  CHECK(third.rejected_count == 5);
  CHECK(third.rejected.size() == 2);
}

TEST_CASE("a missing file is an error, an empty one imports nothing", "[import][archive]") {
  TempDir dir("archive-missing");
  auto store = open_store(dir / "store");
  const Identity id = test_identity();
  auto missing = import_archive(*store, id, dir / "absent.jsonl");
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message, Catch::Contains("absent.jsonl"));
  write_lines(dir / "empty.jsonl", {});
  ArchiveImportReport empty = import_ok(*store, id, dir / "empty.jsonl");
  CHECK(empty.lines == 0);
  CHECK(empty.imported == 0);
  // A last line without a line break is read.
  std::ofstream(dir / "no-eol.jsonl") << record("a") << "\n" << record("b");
  ArchiveImportReport no_eol = import_ok(*store, id, dir / "no-eol.jsonl");
  CHECK(no_eol.lines == 2);
  CHECK(no_eol.imported == 2);
}

TEST_CASE("batches are durable: a store that fills up keeps whole batches and resumes",
          "[import][archive]") {
  TempDir dir("archive-full");
  const Identity id = test_identity();
  const auto file = dir / "many.jsonl";
  write_lines(file, synthetic(3000, 1500));
  constexpr std::size_t batch = 64;
  std::uint64_t held = 0;
  {
    auto store = open_store(dir / "store", std::size_t{2} << 20);  // too small for 3000
    ArchiveImportOptions options;
    options.batch_entries = batch;
    std::uint64_t progressed = 0;
    options.on_progress = [&](std::uint64_t n) { progressed += n; };
    auto report = import_archive(*store, id, file, options);
    REQUIRE_FALSE(report);
    CHECK(report.error().code == "store_full");
    CHECK_THAT(report.error().message, Catch::Contains("importing the file again resumes"));
    held = *store->entry_count();
    CHECK(held > 0);
    CHECK(held % batch == 0);   // whole batches only
    CHECK(progressed == held);  // progress never runs ahead of what is committed
  }
  auto store = open_store(dir / "store", std::size_t{64} << 20);
  CHECK(*store->entry_count() == held);
  auto verify = store->verify();
  REQUIRE(verify);
  CHECK(verify->faults.empty());
  ArchiveImportOptions options;
  options.batch_entries = batch;
  ArchiveImportReport resumed = import_ok(*store, id, file, options);
  CHECK(resumed.skipped_duplicates == held);
  CHECK(resumed.imported == 3000 - held);
  CHECK(*store->entry_count() == 3000);
  verify = store->verify();
  REQUIRE(verify);
  CHECK(verify->faults.empty());
  CHECK(verify->entries_checked == 3000);
}

TEST_CASE("a frozen own log refuses the import", "[import][archive]") {
  TempDir dir("archive-frozen");
  auto store = open_store(dir / "store");
  const Identity id = test_identity();
  REQUIRE(import_ok(*store, id, fixture).imported == 16);
  auto first = store->entry_at(id.public_key(), 1);
  REQUIRE(first);
  REQUIRE(*first);
  SignedEntry fork = sign_entry(id, {id.public_key(), 1, Hash{}, 1, EntryKind::alert,
                                     encode_alert(*parse_legacy_record(record("fork")))});
  REQUIRE(store->append(std::span(&fork, 1))->at(0).outcome == AppendOutcome::fork);
  const auto file = dir / "new.jsonl";
  write_lines(file, {record("after-fork")});
  auto report = import_archive(*store, id, file);
  REQUIRE_FALSE(report);
  CHECK(report.error().code == "frozen");
  CHECK(*store->entry_count() == 16);
}

}  // namespace
}  // namespace ifex
