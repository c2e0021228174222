// The command line end to end, one node at a time: the process runner itself, init and id,
// encrypted keys, publish (flags, files, bad input), list and show, the roster.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <regex>
#include <set>

#include "keys/key_text.hpp"
#include "tests/cli/cli_fixture.hpp"

namespace ifex::test {
namespace {

unsigned mode_of(const fs::path& path) {
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

bool is_hex_id(const std::string& s) {
  return std::regex_match(s, std::regex("[0-9a-f]{64}"));
}

TEST_CASE("the process runner captures output and status and enforces timeouts", "[process]") {
  const std::string bytes("bytes\0in\n", 9);
  ProcessOptions with_stdin;
  with_stdin.stdin_data = bytes;
  auto echo = run_process({"cat"}, with_stdin);
  CHECK(echo.status.success());
  CHECK(echo.out == bytes);

  auto failed = run_process({ifexnode_bin(), "no-such-command"});
  CHECK(failed.status.code > 0);
  CHECK(failed.status.signal == 0);
  CHECK_FALSE(failed.err.empty());

  ProcessOptions env_change;
  env_change.env = {{"IFEX_PROCESS_TEST", "set"}, {"HOME", std::nullopt}};
  CHECK(run_process({"printenv", "IFEX_PROCESS_TEST"}, env_change).out == "set\n");
  CHECK(run_process({"printenv", "HOME"}, env_change).status.code == 1);

  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(run_process({"sleep", "30"}, {}, std::chrono::milliseconds(200)), ProcessTimeout);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));

  CHECK_THROWS(BackgroundProcess({"/nonexistent/binary"}));
}

TEST_CASE("a background process can be signalled, waited for, and is reaped", "[process]") {
  pid_t pid = 0;
  {
    BackgroundProcess p({"sleep", "30"});
    pid = p.pid();
    REQUIRE(pid > 0);
    CHECK_FALSE(p.wait_for(std::chrono::milliseconds(20)));
    CHECK_FALSE(p.status());
    p.kill(SIGTERM);
    auto st = p.wait_for(std::chrono::seconds(10));
    REQUIRE(st);
    CHECK(st->signal == SIGTERM);
    CHECK_FALSE(st->success());
    p.kill(SIGKILL);  // reaped: must not signal anything
  }
  {
    BackgroundProcess p({"sleep", "30"});
    pid = p.pid();
  }
  // The destructor killed and reaped it: the PID names no process of ours any more.
  CHECK(::waitpid(pid, nullptr, WNOHANG) == -1);
}

TEST_CASE("init creates a node and refuses to overwrite one", "[cli][init]") {
  TestNode node("alpha");
  const fs::path data = node.data;
  CHECK_THAT(node.init_stderr, Catch::Contains("not encrypted"));
  CHECK(mode_of(data / "identity.key") == 0600);
  CHECK(fs::exists(data / "ifexnode.toml"));

  auto id = ifexnode_json({"id", "--data", node.data, "--json"});
  REQUIRE(id.is_object());
  CHECK(keys_of(id.as_object()) == std::vector<std::string>{"fingerprint", "public_key"});
  CHECK(str(id.at("public_key")) == node.key);
  CHECK(node.key.starts_with("ifexpk1"));
  CHECK(std::regex_match(str(id.at("fingerprint")),
                         std::regex("[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}")));
  auto text = ifexnode_ok({"id", "--data", node.data});
  CHECK_THAT(text, Catch::Contains(node.key));

  const std::string key_before = read_file(data / "identity.key");
  const std::string config_before = read_file(data / "ifexnode.toml");
  auto err = ifexnode_fails({"init", "--data", node.data, "--name", "again"});
  CHECK_THAT(err, Catch::Contains("refusing to overwrite"));
  CHECK(read_file(data / "identity.key") == key_before);
  CHECK(read_file(data / "ifexnode.toml") == config_before);

  // An existing empty directory is fine; a missing --name is not.
  fs::create_directories(node.dir / "empty");
  ifexnode_ok({"init", "--data", (node.dir / "empty").string(), "--name", "beta"});
  ifexnode_fails({"init", "--data", (node.dir / "noname").string()});
  CHECK_FALSE(fs::exists(node.dir / "noname" / "identity.key"));
  ifexnode_fails({"id", "--data", (node.dir / "missing").string()});
}

TEST_CASE("an encrypted key needs the right passphrase to publish", "[cli][init][passphrase]") {
  TempDir dir("enc");
  const std::string data = (dir / "data").string();
  const fs::path good = dir / "pass", bad = dir / "wrong";
  write_file(good, "correct horse battery staple\n");
  write_file(bad, "correct horse battery stapler\n");
  fs::permissions(good, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  fs::permissions(bad, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);

  auto init = ifexnode({"init", "--data", data, "--name", "enc", "--passphrase-file", good.string(),
                        "--kdf", "interactive"});
  INFO(init.err);
  REQUIRE(init.status.success());
  CHECK_THAT(init.err, !Catch::Contains("not encrypted"));
  CHECK(mode_of(dir / "data" / "identity.key") == 0600);
  ifexnode_ok({"id", "--data", data});  // the public key needs no passphrase

  const std::vector<std::string> alert{"--lang",   "en",      "--country", "TN",     "--category",
                                       "impunity", "--title", "Title",     "--body", "Body"};
  auto publish = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"publish", "--data", data};
    args.insert(args.end(), alert.begin(), alert.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  CHECK_THAT(ifexnode_fails(publish({})), Catch::Contains("passphrase is required"));
  CHECK_THAT(ifexnode_fails(publish({"--passphrase-file", bad.string()})),
             Catch::Contains("wrong passphrase"));
  CHECK_THAT(ifexnode_fails(publish({"--passphrase-file", (dir / "absent").string()})),
             Catch::Contains("absent"));
  CHECK(ifexnode_json({"list", "--data", data, "--json"}).as_array().empty());

  auto id = ifexnode_ok(publish({"--passphrase-file", good.string()}));
  CHECK(is_hex_id(id.substr(0, id.size() - 1)));
  ProcessOptions via_env;
  via_env.env = {{"IFEXNODE_PASSPHRASE_FILE", good.string()}};
  ifexnode_ok(publish({}), via_env);
  CHECK(ifexnode_json({"list", "--data", data, "--json"}).as_array().size() == 2);
}

TEST_CASE("publish with flags prints the id and stores the whole alert", "[cli][publish]") {
  TestNode node("pub");
  auto out = ifexnode_json({"publish",
                            "--data",
                            node.data,
                            "--lang",
                            "en",
                            "--country",
                            "BY",
                            "--category",
                            "press-freedom",
                            "--category",
                            "detention",
                            "--title",
                            "Editor detained in Minsk",
                            "--summary",
                            "Short summary.",
                            "--body",
                            "Line one.\nLine two.",
                            "--event-date",
                            "2025-02-28",
                            "--source",
                            "https://example.org/minsk",
                            "--tag",
                            "free-them",
                            "--json"});
  REQUIRE(out.is_object());
  CHECK(keys_of(out.as_object()) == std::vector<std::string>{"author", "id", "seq"});
  const std::string id = str(out.at("id"));
  CHECK(is_hex_id(id));
  CHECK(str(out.at("author")) == node.key);
  CHECK(out.at("seq").to_number<std::int64_t>() == 1);

  auto plain = ifexnode_ok({"publish", "--data", node.data, "--lang", "en", "--country", "BY",
                            "--category", "impunity", "--title", "Second"});
  REQUIRE(plain.size() == 65);
  CHECK(is_hex_id(plain.substr(0, 64)));
  CHECK(plain.back() == '\n');

  auto show = ifexnode_json({"show", "--data", node.data, id, "--json"});
  CHECK(str(show.at("id")) == id);
  CHECK(str(show.at("kind")) == "alert");
  CHECK(str(show.at("lang")) == "en");
  CHECK(str(show.at("country")) == "BY");
  CHECK(str(show.at("title")) == "Editor detained in Minsk");
  CHECK(show.at("seq").to_number<std::int64_t>() == 1);
  CHECK(show.at("created").to_number<std::int64_t>() > 1'700'000'000'000);
  CHECK(str(show.at("prev")) == std::string(64, '0'));
  const auto& alert = show.at("alert");
  CHECK(str(alert.at("body")) == "Line one.\nLine two.");
  CHECK(str(alert.at("summary")) == "Short summary.");
  CHECK(str(alert.at("event_date")) == "2025-02-28");
  CHECK(alert.at("categories") == boost::json::array{"detention", "press-freedom"});
  CHECK(alert.at("sources") == boost::json::array{"https://example.org/minsk"});
  CHECK(alert.at("tags") == boost::json::array{"free-them"});
  auto text = ifexnode_ok({"show", "--data", node.data, id});
  CHECK_THAT(text, Catch::Contains("Editor detained in Minsk"));
  CHECK_THAT(text, Catch::Contains("https://example.org/minsk"));
}

TEST_CASE("publish --file reads translations and right-to-left text", "[cli][publish]") {
  TestNode node("file");
  const fs::path fr = node.dir / "fr.json", ar = node.dir / "ar.json";
  write_file(fr, R"({"lang": "fr", "title": "Journaliste arrêté à Tunis",
    "summary": "Résumé.", "body": "Le corps de l'alerte.", "country": "TN",
    "categories": ["press-freedom"], "event_date": "2025-05-03",
    "sources": ["https://example.org/tunis"],
    "translations": {"en": {"title": "Journalist arrested in Tunis", "summary": "Summary.",
                            "body": "The body."}}})");
  const std::string arabic_title = "اعتقال صحفي في القاهرة";
  write_file(ar, R"({"lang": "ar", "title": ")" + arabic_title + R"(",
    "body": "نص التنبيه الكامل.", "country": "EG", "categories": ["attack-on-journalist"]})");

  const std::string fr_id = str(
      ifexnode_json({"publish", "--data", node.data, "--file", fr.string(), "--json"}).at("id"));
  const std::string ar_id = str(
      ifexnode_json({"publish", "--data", node.data, "--file", ar.string(), "--json"}).at("id"));

  auto show_fr = ifexnode_json({"show", "--data", node.data, fr_id, "--json"});
  CHECK(str(show_fr.at("lang")) == "fr");
  CHECK(str(show_fr.at("title")) == "Journaliste arrêté à Tunis");
  const auto& en = show_fr.at("alert").at("translations").at("en");
  CHECK(str(en.at("title")) == "Journalist arrested in Tunis");
  CHECK(str(en.at("body")) == "The body.");
  CHECK_THAT(ifexnode_ok({"show", "--data", node.data, fr_id}),
             Catch::Contains("[en] Journalist arrested in Tunis"));

  auto show_ar = ifexnode_json({"show", "--data", node.data, ar_id, "--json"});
  CHECK(str(show_ar.at("title")) == arabic_title);
  CHECK(str(show_ar.at("alert").at("body")) == "نص التنبيه الكامل.");
  CHECK(show_ar.at("seq").to_number<std::int64_t>() == 2);
  auto list = ifexnode_json({"list", "--data", node.data, "--json"});
  CHECK(str(list.at(0).at("title")) == arabic_title);
  CHECK_THAT(ifexnode_ok({"list", "--data", node.data}), Catch::Contains(arabic_title));
}

TEST_CASE("publish rejects invalid input and stores nothing", "[cli][publish]") {
  TestNode node("bad");
  const fs::path file = node.dir / "alert.json";
  write_file(file, R"({"lang": "en", "title": "T", "country": "TN", "categories": ["impunity"]})");
  const fs::path unknown_field = node.dir / "unknown.json";
  write_file(unknown_field,
             R"({"lang": "en", "titel": "T", "country": "TN", "categories": ["impunity"]})");
  const fs::path not_json = node.dir / "broken.json";
  write_file(not_json, R"({"lang": "en", "title": )");
  // Two titles: a reviewer of the file may see the first, a last-wins parser signs the second.
  const fs::path two_titles = node.dir / "two_titles.json";
  write_file(two_titles, R"({"lang": "en", "title": "Shown", "title": "Signed", "country": "TN",)"
                         R"( "categories": ["impunity"]})");

  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  auto flags = [](std::string country, std::string category, std::string date, bool title) {
    std::vector<std::string> a{"--lang",     "en",     "--country",    country,
                               "--category", category, "--event-date", date};
    if (title) a.insert(a.end(), {"--title", "T"});
    return a;
  };
  const std::vector<Case> cases{
      {flags("ZZ", "impunity", "2025-01-01", true), "country"},
      {flags("TN", "weather", "2025-01-01", true), "categories"},
      {flags("TN", "impunity", "2025-02-30", true), "event_date"},
      {flags("TN", "impunity", "01/02/2025", true), "event_date"},
      {flags("TN", "impunity", "2025-01-01", false), "title"},
      {{"--file", file.string(), "--lang", "en"}, "either --file"},
      {{"--file", unknown_field.string()}, "unknown field 'titel'"},
      {{"--file", not_json.string()}, "not valid JSON"},
      {{"--file", two_titles.string()}, "'title' twice"},
      {{"--file", (node.dir / "absent.json").string()}, "absent.json"},
      {{"--colour", "red", "--title", "T"}, "colour"},
      {{}, "--file"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args{"publish", "--data", node.data};
    args.insert(args.end(), c.args.begin(), c.args.end());
    CHECK_THAT(ifexnode_fails(args), Catch::Contains(c.message));
  }
  CHECK(ifexnode_json({"list", "--data", node.data, "--json"}).as_array().empty());
  // The valid file does publish, as seq 1: the failures left no trace in the log.
  auto ok = ifexnode_json({"publish", "--data", node.data, "--file", file.string(), "--json"});
  CHECK(ok.at("seq").to_number<std::int64_t>() == 1);
}

TEST_CASE("list is newest first with the documented fields; show finds by id", "[cli][list]") {
  TestNode node("list");
  TestNode other("other");
  std::vector<std::string> ids;
  for (int i = 1; i <= 3; ++i) ids.push_back(node.publish("Alert number " + std::to_string(i)));

  auto list = ifexnode_json({"list", "--data", node.data, "--json"});
  REQUIRE(list.is_array());
  REQUIRE(list.as_array().size() == 3);
  std::int64_t previous_created = INT64_MAX;
  std::set<std::int64_t> seqs;
  for (const auto& e : list.as_array()) {
    for (const char* field : {"id", "author", "seq", "kind", "created", "lang", "country", "title"})
      CHECK(e.as_object().contains(field));
    CHECK(str(e.at("author")) == node.key);
    CHECK(str(e.at("kind")) == "alert");
    auto created = e.at("created").to_number<std::int64_t>();
    CHECK(created <= previous_created);
    previous_created = created;
    seqs.insert(e.at("seq").to_number<std::int64_t>());
  }
  CHECK(seqs == std::set<std::int64_t>{1, 2, 3});
  // Each publish is its own process, milliseconds apart: newest first is the reverse order.
  CHECK(node.list_ids() == std::vector<std::string>{ids[2], ids[1], ids[0]});

  CHECK(ifexnode_json({"list", "--data", node.data, "--json", "--limit", "2"}).as_array().size() ==
        2);
  CHECK(ifexnode_json({"list", "--data", node.data, "--json", "--author", node.key})
            .as_array()
            .size() == 3);
  CHECK(ifexnode_json({"list", "--data", node.data, "--json", "--author", other.key})
            .as_array()
            .empty());
  CHECK_THAT(ifexnode_ok({"list", "--data", other.data}), Catch::Contains("no entries"));

  auto show = ifexnode_json({"show", "--data", node.data, ids[1], "--json"});
  CHECK(str(show.at("title")) == "Alert number 2");
  CHECK(str(show.at("prev")) == ids[0]);
  CHECK_THAT(ifexnode_fails({"show", "--data", node.data, std::string(64, 'a')}),
             Catch::Contains("no entry"));
  CHECK_THAT(ifexnode_fails({"show", "--data", node.data, "not-an-id"}),
             Catch::Contains("not an entry id"));
  ifexnode_fails({"show", "--data", other.data, ids[0]});
}

TEST_CASE("roster add, list and remove; a mistyped key is caught", "[cli][roster]") {
  TestNode a("roster-a");
  TestNode b("roster-b");
  CHECK(ifexnode_json({"roster", "list", "--data", a.data, "--json"}).as_array().empty());
  CHECK_THAT(ifexnode_ok({"roster", "add", "--data", a.data, b.key, "--name", "Org B"}),
             Catch::Contains("added"));
  auto list = ifexnode_json({"roster", "list", "--data", a.data, "--json"});
  REQUIRE(list.as_array().size() == 1);
  CHECK(str(list.at(0).at("public_key")) == b.key);
  CHECK(str(list.at(0).at("name")) == "Org B");
  CHECK(list.at(0).as_object().contains("fingerprint"));
  CHECK_THAT(ifexnode_ok({"roster", "add", "--data", a.data, b.key, "--name", "Org B renamed"}),
             Catch::Contains("updated"));

  std::string typo = b.key;
  const std::size_t at = typo.size() / 2;
  typo[at] = typo[at] == 'a' ? 'b' : 'a';
  CHECK_THAT(ifexnode_fails({"roster", "add", "--data", a.data, typo}),
             Catch::Contains("checksum mismatch"));
  CHECK_THAT(ifexnode_fails({"roster", "add", "--data", a.data, typo.substr(0, typo.size() - 1)}),
             Catch::Contains("characters"));
  CHECK_THAT(ifexnode_fails({"roster", "add", "--data", a.data, "ifexpk1" + std::string(56, '1')}),
             Catch::Contains("invalid character"));
  CHECK_THAT(ifexnode_fails({"roster", "add", "--data", a.data, b.key.substr(3)}),
             Catch::Contains("ifexpk1"));
  list = ifexnode_json({"roster", "list", "--data", a.data, "--json"});
  REQUIRE(list.as_array().size() == 1);
  CHECK(str(list.at(0).at("name")) == "Org B renamed");

  CHECK_THAT(ifexnode_ok({"roster", "remove", "--data", a.data, b.key}),
             Catch::Contains("removed"));
  CHECK(ifexnode_json({"roster", "list", "--data", a.data, "--json"}).as_array().empty());
  CHECK_THAT(ifexnode_fails({"roster", "remove", "--data", a.data, b.key}),
             Catch::Contains("not on the roster"));
}

// Points no key pair has, written as well-formed key text (a right checksum): the identity
// point (01 00..00) and a point of order 8. Refused before anything is stored (docs/keys.md).
TEST_CASE("roster add and peer add refuse keys no node can hold", "[cli][roster][peer]") {
  TestNode a("badkey-a");
  const std::vector<std::string> unusable = {
      public_key_to_text(*PublicKey::from_hex(
          "0100000000000000000000000000000000000000000000000000000000000000")),
      public_key_to_text(*PublicKey::from_hex(
          "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")),
  };
  for (const auto& key : unusable) {
    INFO(key);
    CHECK_THAT(ifexnode_fails({"roster", "add", "--data", a.data, key, "--name", "nobody"}),
               Catch::Contains("not a usable public key") && Catch::Contains("small-order"));
    CHECK_THAT(ifexnode_fails({"peer", "add", "--data", a.data, "ws://127.0.0.1:9/gossip", key}),
               Catch::Contains("not a usable public key"));
  }
  CHECK(ifexnode_json({"roster", "list", "--data", a.data, "--json"}).as_array().empty());
  CHECK(ifexnode_json({"peer", "list", "--data", a.data, "--json"}).as_array().empty());
  // The control: a real key goes in through both commands.
  TestNode b("badkey-b");
  CHECK_THAT(ifexnode_ok({"roster", "add", "--data", a.data, b.key}), Catch::Contains("added"));
  CHECK_THAT(ifexnode_ok({"peer", "add", "--data", a.data, "ws://127.0.0.1:9/gossip", b.key}),
             Catch::Contains("added peer"));
}

}  // namespace
}  // namespace ifex::test
