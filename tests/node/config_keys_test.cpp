// The table of configuration keys: every key is documented, written and read back.
#include "node/home/config_keys.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <set>
#include <string>

#include "tests/support/temp_dir.hpp"

namespace ifex {
namespace {

using test::TempDir;

std::set<std::string> table_keys() {
  std::set<std::string> out;
  for (const ConfigKey& k : config_keys())
    out.insert("[" + std::string(k.section) + "] " + std::string(k.name));
  return out;
}

// The keys of the configuration table in docs/operations.md: rows whose first cell starts with
// `[section] key`, possibly followed by more `key`s of the same section.
std::set<std::string> documented_keys() {
  std::ifstream in(std::string(IFEX_SOURCE_DIR) + "/docs/operations.md");
  REQUIRE(in);
  std::set<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| `[", 0) != 0) continue;
    const std::string cell = line.substr(2, line.find(" |", 2) - 2);
    const std::string section = cell.substr(2, cell.find(']') - 2);
    std::size_t at = cell.find(']') + 2;  // after "] "
    for (;;) {
      const std::size_t end = cell.find('`', at);
      if (end == std::string::npos) break;
      out.insert("[" + section + "] " + cell.substr(at, end - at));
      at = cell.find('`', end + 1);
      if (at == std::string::npos) break;
      ++at;
    }
  }
  return out;
}

TEST_CASE("every configuration key is documented, and only those", "[config]") {
  const auto documented = documented_keys();
  REQUIRE(documented.size() > 30);
  CHECK(documented == table_keys());
}

TEST_CASE("every key is unique and in a known section", "[config]") {
  std::set<std::string> sections;
  for (const ConfigSection& s : config_sections()) sections.emplace(s.name);
  CHECK(table_keys().size() == config_keys().size());
  for (const ConfigKey& k : config_keys()) {
    INFO(k.section << "." << k.name);
    CHECK(sections.count(std::string(k.section)) == 1);
  }
  for (const ConfigRule& r : config_rules()) CHECK(sections.count(std::string(r.section)) == 1);
}

TEST_CASE("write_new_config writes every key of the table, and load_config reads it back",
          "[config]") {
  // Each integer at the bottom of its range (the cross-key rules hold there), so a wrong field
  // or range in the table shows as a different value read back.
  NodeConfig config;
  config.name = "n";
  config.network.listen = "127.0.0.1:7999";
  for (const ConfigKey& k : config_keys())
    if (auto* integer = std::get_if<IntegerKey>(&k.value)) integer->field(config) = integer->min;
  config.network.accept_unknown_peers = true;
  config.http.public_reads = false;
  config.http.public_url = "https://example.org/";
  config.http.decoy_file = "/tmp/decoy.html";
  TempDir dir("config_keys");
  REQUIRE(write_new_config(dir / "ifexnode.toml", config));
  auto back = load_config(dir / "ifexnode.toml");
  INFO((back ? "" : back.error().message));
  REQUIRE(back);
  for (const ConfigKey& k : config_keys()) {
    INFO(k.section << "." << k.name);
    if (auto* integer = std::get_if<IntegerKey>(&k.value))
      CHECK(integer->field(*back) == integer->min);
  }
  CHECK(back->network.accept_unknown_peers);
  CHECK_FALSE(back->http.public_reads);
  CHECK(back->http.public_url == "https://example.org/");
  CHECK(back->http.decoy_file == "/tmp/decoy.html");
}

}  // namespace
}  // namespace ifex
