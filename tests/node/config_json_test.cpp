// The configuration file (strict TOML) and the alert JSON shape (strict, round-tripping).
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>

#include "node/codec/entry_json.hpp"
#include "node/home/config.hpp"
#include "tests/support/temp_dir.hpp"

namespace ifex {
namespace {

using test::TempDir;
namespace fs = std::filesystem;

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const std::string valid_config = R"(
[node]
name = "Tunis Centre"
role = "hub"

[store]
map_size_mib = 2048

[limits]
max_entry_bytes = 32768
import_batch_entries = 100
)";

// valid_config with the one required key it lacks (tests append other [network] keys to it).
const std::string complete_config = valid_config + "\n[network]\nlisten = \"127.0.0.1:7400\"\n";

// Loads `text` as a config file and returns the error message it must produce.
std::string load_error(const std::string& text, const std::string& code = "bad_config") {
  TempDir dir("config");
  const fs::path file = dir / "ifexnode.toml";
  write_text(file, text);
  auto config = load_config(file);
  REQUIRE_FALSE(config);
  CHECK(config.error().code == code);
  CHECK_THAT(config.error().message, Catch::Contains(file.string()));
  return config.error().message;
}

// The configuration a file with only the required keys gets.
NodeConfig load_config_text_defaults() {
  TempDir dir("config");
  write_text(dir / "ifexnode.toml", complete_config);
  auto config = load_config(dir / "ifexnode.toml");
  REQUIRE(config);
  return *config;
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

TEST_CASE("a valid configuration is read", "[config]") {
  TempDir dir("config");
  write_text(dir / "ifexnode.toml", complete_config);
  auto config = load_config(dir / "ifexnode.toml");
  INFO((config ? "" : config.error().message));
  REQUIRE(config);
  CHECK(config->name == "Tunis Centre");
  CHECK(config->role == NodeRole::hub);
  CHECK(config->map_size_mib == 2048);
  CHECK(config->max_entry_bytes == 32768);
  CHECK(config->import_batch_entries == 100);

  // Keys other than the three required ones may be left out; their defaults apply.
  write_text(dir / "minimal.toml",
             "[node]\nname = \"n\"\nrole = \"member\"\n[network]\nlisten = \"127.0.0.1:7401\"\n");
  auto minimal = load_config(dir / "minimal.toml");
  INFO((minimal ? "" : minimal.error().message));
  REQUIRE(minimal);
  CHECK(minimal->role == NodeRole::member);
  CHECK(minimal->network.listen == "127.0.0.1:7401");
  CHECK(minimal->max_entry_bytes == NodeConfig{}.max_entry_bytes);
  CHECK(minimal->network.max_connections == NetworkConfig{}.max_connections);
}

TEST_CASE("a configuration without a required key is refused, naming it", "[config]") {
  const std::string listen = "\n[network]\nlisten = \"127.0.0.1:7400\"\n";
  CHECK_THAT(load_error("[node]\nrole = \"hub\"\n" + listen),
             Catch::Contains("node.name is missing"));
  CHECK_THAT(load_error("[node]\nname = \"n\"\n" + listen),
             Catch::Contains("node.role is missing"));
  CHECK_THAT(load_error(valid_config), Catch::Contains("network.listen is missing"));
  // Cut short after [limits], as a full disk can leave it: refused, not served on a default port.
  CHECK_THAT(load_error(valid_config + "\n[network]\nmax_connections = 10\n"),
             Catch::Contains("network.listen is missing"));
}

TEST_CASE("the configuration rejects unknown keys", "[config]") {
  CHECK_THAT(load_error(replace(valid_config, "map_size_mib", "map_size_mb")),
             Catch::Contains("unknown key 'store.map_size_mb'"));
  CHECK_THAT(load_error(valid_config + "\n[telemetry]\nport = 1\n"),
             Catch::Contains("unknown key 'telemetry'"));
  CHECK_THAT(load_error(valid_config + "\n[network]\nport = 1\n"),
             Catch::Contains("unknown key 'network.port'"));
  CHECK_THAT(load_error(replace(valid_config, "role =", "colour = \"red\"\nrole =")),
             Catch::Contains("unknown key 'node.colour'"));
  CHECK_THAT(load_error("max_entry_bytes = 2000\n" + valid_config),
             Catch::Contains("unknown key 'max_entry_bytes'"));
}

TEST_CASE("the configuration rejects wrong types", "[config]") {
  CHECK_THAT(load_error(replace(valid_config, "2048", "\"2048\"")),
             Catch::Contains("store.map_size_mib must be an integer"));
  CHECK_THAT(load_error(replace(valid_config, "32768", "32768.5")),
             Catch::Contains("limits.max_entry_bytes must be an integer"));
  CHECK_THAT(load_error(replace(valid_config, "\"Tunis Centre\"", "42")),
             Catch::Contains("node.name must be a string"));
  CHECK_THAT(load_error("store = 5\n" + replace(valid_config, "[store]\nmap_size_mib = 2048", "")),
             Catch::Contains("[store] must be a table"));
  CHECK_THAT(load_error(replace(valid_config, "\"hub\"", "\"boss\"")),
             Catch::Contains("unknown role 'boss'"));
  CHECK_THAT(load_error("[store]\nmap_size_mib = 10\n"), Catch::Contains("[node]"));
  CHECK_THAT(load_error("[node\nname = 1"), Catch::Contains(" at "));
}

TEST_CASE("the [network] section is read, written and checked", "[config]") {
  TempDir dir("config");
  NodeConfig config;
  config.name = "Relay";
  config.role = NodeRole::relay;
  config.network.listen = "[::1]:7500";
  config.network.accept_unknown_peers = true;
  config.network.handshake_timeout_ms = 2500;
  config.network.max_pending_outbound_bytes = 1 << 20;
  REQUIRE(write_new_config(dir / "ifexnode.toml", config));
  auto back = load_config(dir / "ifexnode.toml");
  REQUIRE(back);
  CHECK(back->network.listen == "[::1]:7500");
  CHECK(back->network.accept_unknown_peers);
  CHECK(back->network.handshake_timeout_ms == 2500);
  CHECK(back->network.max_pending_outbound_bytes == (1u << 20));
  CHECK(back->network.idle_timeout_ms == NetworkConfig{}.idle_timeout_ms);

  CHECK_THAT(load_error(valid_config + "\n[network]\nhandshake_timeout_ms = 5\n"),
             Catch::Contains("network.handshake_timeout_ms must be between"));
  CHECK_THAT(load_error(valid_config + "\n[network]\nlisten = 7400\n"),
             Catch::Contains("network.listen must be a string"));
  CHECK_THAT(load_error(valid_config + "\n[network]\naccept_unknown_peers = 1\n"),
             Catch::Contains("network.accept_unknown_peers must be true or false"));
  CHECK_THAT(load_error(valid_config +
                        "\n[network]\nreconnect_min_ms = 5000\nreconnect_max_ms = 1000\n"),
             Catch::Contains("reconnect_max_ms must not be below"));
  CHECK_THAT(load_error(valid_config + "\n[network]\nmax_frame_bytes = 20000\n"),
             Catch::Contains("max_frame_bytes must exceed limits.max_entry_bytes"));
}

TEST_CASE("the inbound rate and clock skew limits are read, written and checked", "[config]") {
  TempDir dir("config");
  NodeConfig config;
  config.name = "Hub";
  config.max_clock_skew_s = 120;
  config.network.max_inbound_bytes_per_s = 100'000;
  config.network.max_inbound_burst_bytes = 200'000;
  config.network.throttle_disconnect_ms = 1500;
  REQUIRE(write_new_config(dir / "ifexnode.toml", config));
  auto back = load_config(dir / "ifexnode.toml");
  REQUIRE(back);
  CHECK(back->max_clock_skew_s == 120);
  CHECK(back->network.max_inbound_bytes_per_s == 100'000);
  CHECK(back->network.max_inbound_burst_bytes == 200'000);
  CHECK(back->network.throttle_disconnect_ms == 1500);

  auto defaults = load_config_text_defaults();
  CHECK(defaults.max_clock_skew_s == 3600);
  CHECK(defaults.network.max_inbound_burst_bytes >= defaults.network.max_frame_bytes);

  CHECK_THAT(load_error(valid_config + "\n[network]\nmax_inbound_burst_bytes = 65536\n"),
             Catch::Contains("max_inbound_burst_bytes must be at least network.max_frame_bytes"));
  CHECK_THAT(load_error(valid_config + "\n[network]\nmax_inbound_bytes_per_s = 10\n"),
             Catch::Contains("network.max_inbound_bytes_per_s must be between"));
  CHECK_THAT(load_error(valid_config + "\n[network]\nthrottle_disconnect_ms = 0\n"),
             Catch::Contains("network.throttle_disconnect_ms must be between"));
  CHECK_THAT(load_error(replace(valid_config, "import_batch_entries = 100",
                                "import_batch_entries = 100\nmax_clock_skew_s = -1")),
             Catch::Contains("limits.max_clock_skew_s must be between"));
}

TEST_CASE("the gossip sockets' send buffer is the kernel's unless set, and then at least 4096",
          "[config]") {
  TempDir dir("config");
  NodeConfig config;
  config.name = "Relay";
  config.network.socket_send_buffer_bytes = 65536;
  REQUIRE(write_new_config(dir / "ifexnode.toml", config));
  auto back = load_config(dir / "ifexnode.toml");
  REQUIRE(back);
  CHECK(back->network.socket_send_buffer_bytes == 65536);
  CHECK(load_config_text_defaults().network.socket_send_buffer_bytes == 0);
  CHECK_THAT(
      load_error(valid_config + "\n[network]\nsocket_send_buffer_bytes = 100\n"),
      Catch::Contains("socket_send_buffer_bytes must be 0 (the kernel's choice) or at least 4096"));
  CHECK_THAT(load_error(valid_config + "\n[network]\nsocket_send_buffer_bytes = 1073741824\n"),
             Catch::Contains("network.socket_send_buffer_bytes must be between"));
}

TEST_CASE("the configuration rejects out-of-range values", "[config]") {
  CHECK_THAT(load_error(replace(valid_config, "32768", "10")),
             Catch::Contains("limits.max_entry_bytes must be between 1024 and"));
  CHECK_THAT(load_error(replace(valid_config, "32768", "999999999")),
             Catch::Contains("limits.max_entry_bytes must be between"));
  CHECK_THAT(load_error(replace(valid_config, "2048", "0")),
             Catch::Contains("store.map_size_mib must be between 1 and"));
  CHECK_THAT(load_error(replace(valid_config, "2048", "-5")),
             Catch::Contains("store.map_size_mib must be between"));
  CHECK_THAT(load_error(replace(valid_config, "= 100", "= 0")),
             Catch::Contains("limits.import_batch_entries must be between 1 and"));
}

TEST_CASE("a missing configuration names the data dir problem", "[config]") {
  TempDir dir("config");
  auto config = load_config(dir / "absent.toml");
  REQUIRE_FALSE(config);
  CHECK(config.error().code == "missing_config");
  CHECK_THAT(config.error().message, Catch::Contains("absent.toml"));
}

TEST_CASE("write_new_config writes a loadable file and never overwrites", "[config]") {
  TempDir dir("config");
  const fs::path file = dir / "ifexnode.toml";
  NodeConfig config;
  config.name = "Réseau « Liberté »";
  config.role = NodeRole::relay;
  config.map_size_mib = 512;
  REQUIRE(write_new_config(file, config));
  auto loaded = load_config(file);
  INFO((loaded ? "" : loaded.error().message));
  REQUIRE(loaded);
  CHECK(loaded->name == config.name);
  CHECK(loaded->role == NodeRole::relay);
  CHECK(loaded->map_size_mib == 512);
  CHECK(loaded->max_entry_bytes == config.max_entry_bytes);
  CHECK(loaded->import_batch_entries == config.import_batch_entries);

  const std::string before = read_text(file);
  NodeConfig other;
  other.name = "someone else";
  auto again = write_new_config(file, other);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == "exists");
  CHECK_THAT(again.error().message, Catch::Contains(file.string()));
  CHECK(read_text(file) == before);
}

// --- alert JSON -----------------------------------------------------------------------------

boost::json::value parse(const std::string& text) {
  return boost::json::parse(text);
}

std::string json_error(const std::string& text) {
  auto alert = alert_from_json(parse(text));
  REQUIRE_FALSE(alert);
  CHECK(alert.error().code == "invalid_alert");
  return alert.error().message;
}

const std::string minimal_alert =
    R"({"lang":"en","title":"T","country":"TN","categories":["press-freedom"]})";

TEST_CASE("alert_from_json reads the documented fields", "[entry_json]") {
  auto alert = alert_from_json(parse(R"({
    "lang": "fr", "title": "Journaliste arrêté", "summary": "Résumé", "body": "Corps",
    "country": "TN", "categories": ["press-freedom", "detention"], "event_date": "2025-05-03",
    "sources": ["https://example.org/a"], "tags": ["free-them"], "legacy_id": "ifex-1234",
    "translations": {"en": {"title": "Journalist arrested", "summary": "Summary"}}})"));
  INFO((alert ? "" : alert.error().message));
  REQUIRE(alert);
  CHECK(alert->original.lang == "fr");
  CHECK(alert->original.title == "Journaliste arrêté");
  CHECK(alert->categories == std::vector<std::string>{"press-freedom", "detention"});
  REQUIRE(alert->translations.size() == 1);
  CHECK(alert->translations[0].lang == "en");
  CHECK(alert->translations[0].title == "Journalist arrested");
  CHECK(alert->translations[0].body.empty());
  CHECK(alert->legacy_id == "ifex-1234");
  REQUIRE(alert_from_json(parse(minimal_alert)));
}

TEST_CASE("alert_from_json rejects unknown fields and wrong types", "[entry_json]") {
  CHECK_THAT(json_error(R"({"lang":"en","titel":"T","country":"TN"})"),
             Catch::Contains("unknown field 'titel'"));
  CHECK_THAT(json_error(R"({"lang":"en","title":"T","country":"TN",
                            "translations":{"fr":{"title":"x","resume":"y"}}})"),
             Catch::Contains("unknown field 'translations.fr.resume'"));
  CHECK_THAT(json_error(R"({"lang":"en","title":5,"country":"TN"})"),
             Catch::Contains("field 'title' must be a string"));
  CHECK_THAT(json_error(R"({"lang":"en","title":"T","country":"TN","categories":"press-freedom"})"),
             Catch::Contains("'categories' must be an array of strings"));
  CHECK_THAT(json_error(R"({"lang":"en","title":"T","country":"TN","sources":[1]})"),
             Catch::Contains("'sources' must be an array of strings"));
  CHECK_THAT(json_error(R"({"lang":"en","title":"T","country":"TN","translations":["fr"]})"),
             Catch::Contains("'translations' must be an object"));
  CHECK_THAT(json_error(R"({"lang":"en","title":"T","country":"TN","translations":{"fr":"x"}})"),
             Catch::Contains("translations.fr"));
  CHECK_THAT(json_error(R"({"lang":"en","country":"TN"})"),
             Catch::Contains("missing field 'title'"));
  CHECK_THAT(json_error(R"({"title":"T","country":"TN"})"),
             Catch::Contains("missing field 'lang'"));
  CHECK_THAT(json_error(R"(["not", "an", "object"])"), Catch::Contains("JSON object"));
}

TEST_CASE("alert_to_json and alert_from_json round-trip", "[entry_json]") {
  Alert a;
  a.original = {"ar", "اعتقال صحفي في تونس", "ملخص قصير", "نص التقرير الكامل"};
  a.translations = {{"en", "Journalist detained in Tunis", "Short summary", "Full text"},
                    {"fr", "Journaliste détenu à Tunis", "", ""}};
  a.country = "TN";
  a.categories = {"attack-on-journalist", "press-freedom"};
  a.event_date = "2025-01-31";
  a.sources = {"https://example.org/report?id=7", "https://example.net/"};
  a.tags = {"free-the-press"};
  a.legacy_id = "old-77";
  REQUIRE(validate_alert(a, Vocabulary::known_only));

  const std::string text = boost::json::serialize(alert_to_json(a));
  auto back = alert_from_json(parse(text));
  INFO(text);
  REQUIRE(back);
  CHECK(*back == a);
  // And through the signed payload: decoding what was encoded gives the same JSON.
  auto decoded = decode_alert(encode_alert(*back));
  REQUIRE(decoded);
  CHECK(boost::json::serialize(alert_to_json(*decoded)) == text);
}

TEST_CASE("iso8601_utc formats milliseconds", "[entry_json]") {
  CHECK(iso8601_utc(0) == "1970-01-01T00:00:00.000Z");
  CHECK(iso8601_utc(1'764'325'666'123) == "2025-11-28T10:27:46.123Z");
}

}  // namespace
}  // namespace ifex
