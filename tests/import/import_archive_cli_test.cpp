// `ifexnode import-archive` end to end with the real binary: JSON summary, a second run that adds
// nothing, plain output without carriage returns, bad lines, missing file or data dir, and an
// encrypted identity key.
#include "tests/cli/cli_fixture.hpp"

namespace ifex::test {
namespace {

const std::string fixture = IFEX_FIXTURES_DIR "/legacy_fixture.jsonl";

std::vector<std::string> import_args(const std::string& data, const std::string& file,
                                     std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"import-archive", "--data", data, file};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST_CASE("import-archive imports the fixture once; a second run adds nothing", "[cli][import]") {
  TestNode node("archive");
  auto first = ifexnode_json(import_args(node.data, fixture, {"--json"}));
  INFO(serialize(first));
  CHECK(keys_of(first.as_object()) == std::vector<std::string>{"imported", "lines", "rejected",
                                                               "rejected_count", "seconds",
                                                               "skipped_duplicates"});
  CHECK(first.at("imported").to_number<int>() == 16);
  CHECK(first.at("skipped_duplicates").to_number<int>() == 0);
  CHECK(first.at("rejected").as_array().empty());
  CHECK(first.at("seconds").to_number<double>() >= 0);
  CHECK(node.list_ids().size() == 16);

  auto again = ifexnode_json(import_args(node.data, fixture, {"--json"}));
  CHECK(again.at("imported").to_number<int>() == 0);
  CHECK(again.at("skipped_duplicates").to_number<int>() == 16);
  CHECK(node.list_ids().size() == 16);

  // The stored alert keeps its date, provenance and translations; the node is its author.
  const std::string id = node.list_ids().front();
  auto shown = ifexnode_json({"show", "--data", node.data, id, "--json"});
  CHECK(str(shown.at("author")) == node.key);
  const auto& alert = shown.at("alert").as_object();
  CHECK_THAT(str(alert.at("legacy_id")), Catch::StartsWith("ifex-"));
  CHECK(str(alert.at("event_date")).size() == 10);
  CHECK_THAT(serialize(alert.at("tags")), Catch::Contains("legacy-archive"));

  ifexnode_ok({"verify", "--data", node.data});
}

TEST_CASE("import-archive without a terminal prints plain lines and reports bad lines",
          "[cli][import]") {
  TestNode node("archive-plain");
  const fs::path file = node.dir / "mixed.jsonl";
  const std::string good = read_file(fixture);
  const std::string first_line = good.substr(0, good.find('\n') + 1);
  write_file(file, first_line + "{not json\n" +
                       "{\"legacy_id\": \"x-1\", \"date\": \"2001-02-03\", \"country\": \"EG\", "
                       "\"lang\": \"en\", \"categories\": [\"nonsense\"], \"title\": \"t\"}\n");
  ProcessResult r = ifexnode(import_args(node.data, file.string()));
  INFO(describe(import_args(node.data, file.string()), r));
  REQUIRE(r.status.success());  // bad lines do not fail the run
  CHECK(r.out.find('\r') == std::string::npos);
  CHECK(r.err.find('\r') == std::string::npos);
  CHECK_THAT(r.out, Catch::Contains("imported 1 alerts\n"));
  CHECK_THAT(r.out, Catch::Contains("rejected 2 lines\n"));
  CHECK_THAT(r.err, Catch::Contains("line 2: not valid JSON"));
  CHECK_THAT(r.err, Catch::Contains("line 3: categories:"));
  CHECK_THAT(r.err, Catch::Contains("import-archive: 3 lines in"));  // the plain progress summary

  auto json = ifexnode_json(import_args(node.data, file.string(), {"--json"}));
  CHECK(json.at("imported").to_number<int>() == 0);
  CHECK(json.at("skipped_duplicates").to_number<int>() == 1);
  CHECK(json.at("rejected_count").to_number<int>() == 2);
  const auto& rejected = json.at("rejected").as_array();
  REQUIRE(rejected.size() == 2);
  CHECK(rejected[0].at("line").to_number<int>() == 2);
  CHECK(rejected[1].at("line").to_number<int>() == 3);
  CHECK_THAT(str(rejected[1].at("reason")), Catch::StartsWith("categories:"));
}

TEST_CASE("import-archive fails on a missing file or a data dir that is not a node",
          "[cli][import]") {
  TestNode node("archive-missing");
  CHECK_THAT(ifexnode_fails(import_args(node.data, (node.dir / "absent.jsonl").string())),
             Catch::Contains("absent.jsonl"));
  CHECK_THAT(ifexnode_fails(import_args((node.dir / "nowhere").string(), fixture)),
             Catch::Contains("nowhere"));
  CHECK(node.list_ids().empty());
}

TEST_CASE("import-archive unlocks an encrypted key with --passphrase-file", "[cli][import]") {
  TempDir dir("archive-enc");
  const std::string data = (dir / "data").string();
  const fs::path pass = dir / "pass";
  write_file(pass, "correct horse battery staple\n");
  fs::permissions(pass, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  ifexnode_ok({"init", "--data", data, "--name", "enc", "--passphrase-file", pass.string(), "--kdf",
               "interactive"});
  CHECK_THAT(ifexnode_fails(import_args(data, fixture)), Catch::Contains("passphrase"));
  auto out =
      ifexnode_json(import_args(data, fixture, {"--json", "--passphrase-file", pass.string()}));
  CHECK(out.at("imported").to_number<int>() == 16);
}

}  // namespace
}  // namespace ifex::test
