// Helpers for the end-to-end tests: run the real ifexnode binary ($IFEXNODE_BIN) and read its
// JSON output; a node in a fresh temporary data dir.
#pragma once

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace ifex::test {

namespace fs = std::filesystem;

// Runs `ifexnode args...`. The caller's IFEXNODE_PASSPHRASE_FILE is removed so that a developer's
// environment cannot change what the tests see; options.env may set it again.
inline ProcessResult ifexnode(const std::vector<std::string>& args, ProcessOptions options = {}) {
  std::vector<std::string> argv{ifexnode_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  options.env.insert(options.env.begin(), {"IFEXNODE_PASSPHRASE_FILE", std::nullopt});
  return run_process(argv, options);
}

inline std::string describe(const std::vector<std::string>& args, const ProcessResult& r) {
  std::string line = "ifexnode";
  for (const auto& a : args) line += " " + a;
  return line + "\n-> " + r.status.describe() + "\nstdout:\n" + r.out + "\nstderr:\n" + r.err;
}

// Runs and requires success; returns stdout.
inline std::string ifexnode_ok(const std::vector<std::string>& args, ProcessOptions options = {}) {
  ProcessResult r = ifexnode(args, std::move(options));
  INFO(describe(args, r));
  REQUIRE(r.status.success());
  return r.out;
}

// Runs and requires failure with a message on stderr; returns stderr.
inline std::string ifexnode_fails(const std::vector<std::string>& args,
                                  ProcessOptions options = {}) {
  ProcessResult r = ifexnode(args, std::move(options));
  INFO(describe(args, r));
  REQUIRE(r.status.code > 0);
  REQUIRE_FALSE(r.err.empty());
  return r.err;
}

inline boost::json::value parse_json(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  INFO("not JSON: " << text);
  REQUIRE_FALSE(ec);
  return v;
}

inline boost::json::value ifexnode_json(const std::vector<std::string>& args,
                                        ProcessOptions options = {}) {
  return parse_json(ifexnode_ok(args, std::move(options)));
}

inline std::string str(const boost::json::value& v) {
  REQUIRE(v.is_string());
  return std::string(v.get_string());
}

inline std::vector<std::string> keys_of(const boost::json::object& obj) {
  std::vector<std::string> out;
  for (const auto& kv : obj) out.emplace_back(kv.key());
  std::sort(out.begin(), out.end());
  return out;
}

inline void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  REQUIRE(out.good());
}

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A node made by `ifexnode init` (unencrypted key) in a fresh temporary directory.
struct TestNode {
  TempDir dir;
  std::string data;
  std::string key;  // public key text
  std::string init_stderr;

  explicit TestNode(const std::string& name = "node") : dir(name), data((dir / "data").string()) {
    std::vector<std::string> args{"init", "--data", data, "--name", name, "--json"};
    ProcessResult r = ifexnode(args);
    INFO(describe(args, r));
    REQUIRE(r.status.success());
    key = str(parse_json(r.out).at("public_key"));
    init_stderr = r.err;
  }

  // Publishes a valid alert with the given title; returns its id.
  std::string publish(const std::string& title) const {
    auto out = ifexnode_json({"publish", "--data", data, "--lang", "en", "--country", "TN",
                              "--category", "press-freedom", "--title", title, "--summary",
                              "summary", "--body", "body", "--json"});
    return str(out.at("id"));
  }

  // The ids `list --json` shows, newest first.
  std::vector<std::string> list_ids() const {
    auto list = ifexnode_json({"list", "--data", data, "--json", "--limit", "100000"});
    std::vector<std::string> ids;
    for (const auto& e : list.as_array()) ids.push_back(str(e.at("id")));
    return ids;
  }
};

}  // namespace ifex::test
