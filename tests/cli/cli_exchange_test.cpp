// The command line end to end between nodes and against damage: export and import between two
// data dirs, damaged and truncated bundles, verify against a corrupted store, and publishing
// processes killed with SIGKILL at random moments.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "tests/cli/cli_fixture.hpp"
#include "tests/support/lmdb_tamper.hpp"

namespace ifex::test {
namespace {

// Where each record of a bundle lies (layout: docs/protocol.md, "Bundle").
struct RecordSpan {
  std::size_t start;  // the record's type byte
  std::size_t body;   // first byte of its body
  std::size_t length;
};

std::vector<RecordSpan> bundle_records(const std::string& bundle) {
  std::vector<RecordSpan> out;
  std::size_t pos = 9;  // magic and version
  while (pos + 5 <= bundle.size() && bundle[pos] != 0) {
    std::size_t length = 0;
    for (int i = 3; i >= 0; --i)
      length =
          length << 8 | static_cast<unsigned char>(bundle[pos + 1 + static_cast<std::size_t>(i)]);
    out.push_back({pos, pos + 5, length});
    pos += 5 + length;
  }
  return out;
}

std::vector<std::string> publish_n(const TestNode& node, int n) {
  std::vector<std::string> ids;
  for (int i = 1; i <= n; ++i) ids.push_back(node.publish("Alert " + std::to_string(i)));
  return ids;
}

std::string export_all(const TestNode& node) {
  const std::string bundle = (node.dir / "out.bundle").string();
  ifexnode_ok({"export", "--data", node.data, "--out", bundle, "--force"});
  return bundle;
}

// Runs `import --json`; returns the report and the exit status.
std::pair<boost::json::object, ExitStatus> import_json(const TestNode& node,
                                                       const std::string& bundle) {
  std::vector<std::string> args{"import", "--data", node.data, bundle, "--json"};
  ProcessResult r = ifexnode(args);
  INFO(describe(args, r));
  REQUIRE(r.status.signal == 0);
  auto report = parse_json(r.out);
  REQUIRE(report.is_object());
  return {report.as_object(), r.status};
}

std::int64_t num(const boost::json::object& obj, const char* key) {
  return obj.at(key).to_number<std::int64_t>();
}

void require_verifies(const TestNode& node) {
  auto report = ifexnode_json({"verify", "--data", node.data, "--json"});
  INFO(boost::json::serialize(report));
  REQUIRE(report.at("ok").as_bool());
  REQUIRE(report.at("faults").as_array().empty());
}

TEST_CASE("export in A, import in B: B holds the same entries", "[cli][bundle]") {
  TestNode a("exchange-a"), b("exchange-b"), c("exchange-c");
  const auto ids = publish_n(a, 5);
  const std::string bundle = (a.dir / "a.bundle").string();
  auto exported = ifexnode_json({"export", "--data", a.data, "--out", bundle, "--json"});
  CHECK(num(exported.as_object(), "entries") == 5);
  CHECK_THAT(ifexnode_fails({"export", "--data", a.data, "--out", bundle}),
             Catch::Contains("exists"));

  ifexnode_ok({"roster", "add", "--data", b.data, a.key, "--name", "A"});
  auto [first, first_status] = import_json(b, bundle);
  CHECK(first_status.success());
  CHECK(num(first, "records") == 5);
  CHECK(num(first, "stored") == 5);
  CHECK(first.at("rejected").as_array().empty());
  CHECK(b.list_ids() == a.list_ids());
  CHECK(ifexnode_json({"list", "--data", b.data, "--json", "--author", a.key}).as_array().size() ==
        5);
  require_verifies(b);

  // The same bundle again: nothing new, and that is not an error.
  auto [again, again_status] = import_json(b, bundle);
  CHECK(again_status.success());
  CHECK(num(again, "stored") == 0);
  CHECK(num(again, "duplicates") == 5);
  CHECK_THAT(ifexnode_ok({"import", "--data", b.data, bundle}), Catch::Contains("stored 0"));
  CHECK(b.list_ids() == a.list_ids());

  // C has not put A on its roster: every entry is refused, with the reason.
  auto [refused, refused_status] = import_json(c, bundle);
  CHECK(refused_status.code > 0);
  CHECK(num(refused, "stored") == 0);
  const auto& rejected = refused.at("rejected").as_array();
  REQUIRE(rejected.size() == 5);
  for (const auto& r : rejected) {
    CHECK(str(r.at("code")) == "not_on_roster");
    CHECK_THAT(str(r.at("reason")), Catch::Contains("roster"));
    CHECK(str(r.at("author")) == a.key);
  }
  CHECK_THAT(ifexnode_fails({"import", "--data", c.data, bundle}), Catch::Contains("roster"));
  CHECK(c.list_ids().empty());

  // B passes A's log on: an export of one author's log, and a mistyped author refused.
  const std::string from_b = (b.dir / "from-b.bundle").string();
  auto only_a =
      ifexnode_json({"export", "--data", b.data, "--out", from_b, "--author", a.key, "--json"});
  CHECK(num(only_a.as_object(), "entries") == 5);
  ifexnode_fails(
      {"export", "--data", b.data, "--out", (b.dir / "x").string(), "--author", "ifexpk1nonsense"});
}

TEST_CASE("a bundle with one flipped byte: the damaged entry and its successors are rejected",
          "[cli][bundle]") {
  TestNode a("flip-a"), b("flip-b");
  const auto ids = publish_n(a, 5);  // in publish order: ids[0] is seq 1
  std::string bytes = read_file(export_all(a));
  auto records = bundle_records(bytes);
  REQUIRE(records.size() == 5);
  const RecordSpan& middle = records[2];  // seq 3
  bytes[middle.body + middle.length / 2] ^= 0x01;
  const std::string damaged = (a.dir / "damaged.bundle").string();
  write_file(damaged, bytes);

  ifexnode_ok({"roster", "add", "--data", b.data, a.key});
  auto [report, status] = import_json(b, damaged);
  CHECK(status.code > 0);
  CHECK(num(report, "records") == 5);
  CHECK(num(report, "stored") == 2);
  const auto& rejected = report.at("rejected").as_array();
  REQUIRE(rejected.size() == 3);
  std::map<std::int64_t, boost::json::object> by_record;
  for (const auto& r : rejected)
    by_record[r.at("record").to_number<std::int64_t>()] = r.as_object();
  REQUIRE(by_record.count(3));
  CHECK_FALSE(str(by_record[3].at("reason")).empty());
  CHECK_FALSE(str(by_record[3].at("code")).empty());
  for (std::int64_t seq : {4, 5}) {
    REQUIRE(by_record.count(seq));
    CHECK(str(by_record[seq].at("code")) == "gap");
    CHECK(num(by_record[seq], "seq") == seq);
    CHECK(str(by_record[seq].at("author")) == a.key);
    CHECK_THAT(str(by_record[seq].at("reason")), Catch::Contains("missing predecessor"));
  }
  // B holds exactly seq 1 and 2, and they verify.
  CHECK(b.list_ids() == std::vector<std::string>{ids[1], ids[0]});
  require_verifies(b);
  auto text = ifexnode({"import", "--data", b.data, damaged});
  CHECK(text.status.code > 0);
  CHECK_THAT(text.err, Catch::Contains("rejected record 3"));
  CHECK_THAT(text.err, Catch::Contains("rejected record 5"));

  // The undamaged bundle later completes the log.
  auto [repaired, repaired_status] = import_json(b, export_all(a));
  CHECK(repaired_status.success());
  CHECK(num(repaired, "stored") == 3);
  CHECK(b.list_ids() == a.list_ids());
  require_verifies(b);
}

TEST_CASE("a truncated bundle: what comes before the cut is stored", "[cli][bundle]") {
  TestNode a("cut-a"), b("cut-b");
  const auto ids = publish_n(a, 5);
  std::string bytes = read_file(export_all(a));
  auto records = bundle_records(bytes);
  REQUIRE(records.size() == 5);
  const std::string cut = (a.dir / "cut.bundle").string();
  write_file(cut, bytes.substr(0, records[2].body + records[2].length / 2));

  ifexnode_ok({"roster", "add", "--data", b.data, a.key});
  auto [report, status] = import_json(b, cut);
  CHECK(status.code > 0);
  CHECK(num(report, "stored") == 2);
  REQUIRE(report.contains("bundle_error"));
  CHECK_FALSE(str(report.at("bundle_error")).empty());
  CHECK(b.list_ids() == std::vector<std::string>{ids[1], ids[0]});
  require_verifies(b);
  CHECK_THAT(ifexnode_fails({"import", "--data", b.data, cut}), Catch::Contains("damaged bundle"));

  // Not a bundle at all, and an empty file.
  write_file(a.dir / "junk", "this is not a bundle");
  auto [junk, junk_status] = import_json(b, (a.dir / "junk").string());
  CHECK(junk_status.code > 0);
  CHECK(junk.contains("bundle_error"));
  write_file(a.dir / "empty", "");
  CHECK(import_json(b, (a.dir / "empty").string()).second.code > 0);
  CHECK(b.list_ids().size() == 2);
}

TEST_CASE("verify passes on a sound store and lists faults on a damaged one", "[cli][verify]") {
  TestNode a("verify");
  publish_n(a, 3);
  auto ok = ifexnode_json({"verify", "--data", a.data, "--json"});
  CHECK(ok.at("ok").as_bool());
  CHECK(ok.at("entries").to_number<std::int64_t>() == 3);
  CHECK(ok.at("authors").to_number<std::int64_t>() == 1);
  CHECK(ok.at("faults").as_array().empty());
  CHECK_THAT(ifexnode_ok({"verify", "--data", a.data}), Catch::Contains("ok: 3 entries"));

  // No ifexnode process is running now, so the store may be opened directly.
  flip_stored_byte(fs::path(a.data) / "store", "entries", 1);
  std::vector<std::string> args{"verify", "--data", a.data, "--json"};
  ProcessResult r = ifexnode(args);
  INFO(describe(args, r));
  CHECK(r.status.code > 0);
  auto report = parse_json(r.out);
  CHECK_FALSE(report.at("ok").as_bool());
  const auto& faults = report.at("faults").as_array();
  REQUIRE_FALSE(faults.empty());
  CHECK_THAT(str(faults.at(0)), Catch::Contains("seq 2"));
  CHECK_THAT(ifexnode_fails({"verify", "--data", a.data}), Catch::Contains("fault:"));

  // A deleted index record is a fault too.
  TestNode b("verify-index");
  publish_n(b, 2);
  delete_stored_record(fs::path(b.data) / "store", "by_id", 0);
  ifexnode_fails({"verify", "--data", b.data});
}

// A whole `ifexnode publish` command line, for BackgroundProcess.
std::vector<std::string> publish_argv(const TestNode& node, const std::string& title) {
  return {ifexnode_bin(), "publish",    "--data",   node.data, "--lang", "en",     "--country",
          "TN",           "--category", "impunity", "--title", title,    "--body", "Body."};
}

ProcessOptions without_passphrase_env() {
  ProcessOptions options;
  options.env = {{"IFEXNODE_PASSPHRASE_FILE", std::nullopt}};
  return options;
}

// The seqs `list` shows, ascending, and the ids.
std::pair<std::vector<std::int64_t>, std::set<std::string>> listed_log(const TestNode& node) {
  auto list = ifexnode_json({"list", "--data", node.data, "--json", "--limit", "1000"});
  std::vector<std::int64_t> seqs;
  std::set<std::string> ids;
  for (const auto& e : list.as_array()) {
    seqs.push_back(e.at("seq").to_number<std::int64_t>());
    ids.insert(str(e.at("id")));
  }
  std::sort(seqs.begin(), seqs.end());
  return {seqs, ids};
}

void require_contiguous(const std::vector<std::int64_t>& seqs) {
  for (std::size_t i = 0; i < seqs.size(); ++i)
    REQUIRE(seqs[i] == static_cast<std::int64_t>(i + 1));
}

TEST_CASE("concurrent publishers are serialised into one contiguous log", "[cli][durability]") {
  TestNode node("concurrent");
  std::vector<std::unique_ptr<BackgroundProcess>> running;
  for (int i = 0; i < 8; ++i)
    running.push_back(std::make_unique<BackgroundProcess>(
        publish_argv(node, "concurrent " + std::to_string(i)), without_passphrase_env()));
  std::set<std::string> printed;
  for (auto& p : running) {
    auto status = p->wait_for(std::chrono::seconds(60));
    REQUIRE(status);
    INFO(p->command_line() << "\n-> " << status->describe() << "\n" << p->err());
    REQUIRE(status->success());
    printed.insert(p->out().substr(0, 64));
  }
  auto [seqs, ids] = listed_log(node);
  CHECK(seqs.size() == 8);
  require_contiguous(seqs);
  CHECK(ids == printed);
  require_verifies(node);
}

TEST_CASE("publish killed with SIGKILL at random moments loses nothing acknowledged",
          "[cli][durability]") {
  TestNode node("kill");
  const std::vector<std::string> publish = publish_argv(node, "Under fire");
  const ProcessOptions options = without_passphrase_env();

  // One undisturbed run sets the scale of the random kill delays.
  const auto started = std::chrono::steady_clock::now();
  auto calibration = run_process(publish, options);
  REQUIRE(calibration.status.success());
  const auto run_time = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  const auto max_delay =
      std::min<std::chrono::microseconds>(run_time + run_time / 4, std::chrono::seconds(2));

  const std::uint32_t seed = 20260211;
  INFO("seed " << seed << ", max delay " << max_delay.count() << " us");
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::int64_t> delay(0, max_delay.count());
  const std::regex printed_id("^([0-9a-f]{64})\n");

  std::vector<std::string> acknowledged{calibration.out.substr(0, 64)};
  int killed = 0;
  for (int round = 0; round < 30; ++round) {
    BackgroundProcess p(publish, options);
    std::this_thread::sleep_for(std::chrono::microseconds(delay(rng)));
    p.kill(SIGKILL);
    auto status = p.wait_for(std::chrono::seconds(60));
    REQUIRE(status);
    const std::string out = p.out();
    INFO("round " << round << ": " << status->describe() << "\nstdout:\n"
                  << out << "\nstderr:\n"
                  << p.err());
    if (status->signal == SIGKILL)
      ++killed;
    else
      REQUIRE(status->success());
    // The id is printed only after the commit: any printed id is acknowledged, even if the
    // process was killed a moment later.
    std::smatch m;
    if (std::regex_search(out, m, printed_id))
      acknowledged.push_back(m[1]);
    else
      REQUIRE_FALSE(status->success());
    require_verifies(node);
  }
  INFO(killed << " of 30 publishes were killed; " << acknowledged.size() << " acknowledged");
  CHECK(killed > 0);

  for (const auto& id : acknowledged) ifexnode_ok({"show", "--data", node.data, id});
  // The store is still writable (the killed writers' lock was recovered) and the log has no gap.
  acknowledged.push_back(node.publish("after the storm"));
  auto [seqs, listed] = listed_log(node);
  require_contiguous(seqs);
  for (const auto& id : acknowledged) CHECK(listed.count(id) == 1);
  CHECK(seqs.size() >= acknowledged.size());
  require_verifies(node);
}

}  // namespace
}  // namespace ifex::test
