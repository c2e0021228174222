// ifexnode status: the running node's connections and counters (from the status file it
// rewrites every second) and the per-author clocks (from the store).
#include <signal.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "keys/key_text.hpp"
#include "node/cli/cli_support.hpp"
#include "node/home/node_handle.hpp"

namespace ifex::cli {

namespace json = boost::json;

namespace {

// The status file of a node that is running now, or null.
json::value running_status(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return nullptr;
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  json::value status = json::parse(text.str(), ec);
  if (ec || !status.is_object()) return nullptr;
  auto* pid = status.as_object().if_contains("pid");
  if (!pid || !pid->is_int64() || ::kill(static_cast<pid_t>(pid->as_int64()), 0) != 0)
    return nullptr;
  return status;
}

// One `name: value` a line, the values aligned, in the order the node wrote them.
// Counters one `name: value` a line, aligned; a group of counters (connection problems by
// cause) is flattened to `group.name`, so no line is raw JSON.
void print_counters(const json::object& counters) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& [name, value] : counters) {
    if (value.is_object()) {
      for (const auto& [sub, v] : value.as_object())
        rows.emplace_back(std::string(name) + "." + std::string(sub), json::serialize(v));
    } else {
      rows.emplace_back(std::string(name), json::serialize(value));
    }
  }
  std::size_t width = 0;
  for (const auto& [name, value] : rows) width = std::max(width, name.size());
  for (const auto& [name, value] : rows)
    std::cout << "  " << name << ":" << std::string(width - name.size() + 1, ' ') << value << "\n";
}

// LSB's "program is not running" (docs/operations.md, "Commands").
constexpr int exit_not_running = 3;

}  // namespace

void add_status_command(CLI::App& app) {
  struct Options {
    std::string data;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "status", "Show peers, clocks and counters; exit 3 when the node is not running");
  cmd->add_option("--data", o->data, "Data directory")->required();
  cmd->add_flag("--json", o->json, "Print as JSON");
  cmd->callback([o] {
    NodeHandle node = need(NodeHandle::open(o->data, NodeHandle::Access::read_only));
    json::value live = running_status(node.dir().root / "status.json");
    json::object out = live.is_object() ? live.as_object() : json::object{};
    out["running"] = live.is_object();
    out["public_key"] = public_key_to_text(node.own_key());
    out["name"] = node.config().name;
    out["role"] = std::string(role_name(node.config().role));
    std::map<PublicKey, std::string> names;
    for (const auto& m : need(node.store().roster())) names[m.key] = m.name;
    names[node.own_key()] = node.config().name;
    json::array clocks;
    for (const auto& [author, head] : need(node.store().clock())) {
      json::object c{{"author", public_key_to_text(author)},
                     {"fingerprint", fingerprint(author)},
                     {"seq", head.seq}};
      if (names.count(author)) c["name"] = names[author];
      clocks.push_back(std::move(c));
    }
    out["clocks"] = std::move(clocks);
    if (!live.is_object()) {
      json::array peers;
      for (const auto& p : need(node.store().peers()))
        peers.push_back(json::object{{"public_key", public_key_to_text(p.key)},
                                     {"fingerprint", fingerprint(p.key)},
                                     {"connected", false}});
      out["peers"] = std::move(peers);
    }
    const bool running = live.is_object();
    if (o->json) {
      print_json(out);
      if (!running) throw Failure{"the node is not running", exit_not_running};
      return;
    }
    std::cout << node.config().name << " (" << role_name(node.config().role) << ") "
              << (live.is_object() ? "running" : "not running") << "\n";
    std::cout << "peers:\n";
    for (const auto& p : out["peers"].as_array()) {
      const auto& po = p.as_object();
      std::cout << "  " << json::value_to<std::string>(po.at("fingerprint")) << "  ";
      if (auto* name = po.if_contains("name")) std::cout << json::value_to<std::string>(*name) << "  ";
      std::cout << (po.at("connected").as_bool() ? "connected" : "not connected");
      if (auto* down = po.if_contains("down_since"))
        std::cout << " since " << json::value_to<std::string>(*down);
      if (auto* seen = po.if_contains("last_seen"); seen && !po.at("connected").as_bool())
        std::cout << ", last seen " << json::value_to<std::string>(*seen);
      if (auto* err = po.if_contains("last_error"))
        std::cout << "  (last error: " << json::value_to<std::string>(*err) << ")";
      std::cout << "\n";
    }
    std::cout << "logs:\n";
    for (const auto& c : out["clocks"].as_array()) {
      const auto& co = c.as_object();
      std::cout << "  " << json::value_to<std::string>(co.at("fingerprint")) << "  seq "
                << co.at("seq").as_uint64();
      if (auto* n = co.if_contains("name")) std::cout << "  " << json::value_to<std::string>(*n);
      std::cout << "\n";
    }
    if (auto* counters = out.if_contains("counters"); counters && counters->is_object()) {
      std::cout << "counters:\n";
      print_counters(counters->as_object());
    }
    if (!running) throw Failure{"the node is not running", exit_not_running};
  });
}

}  // namespace ifex::cli
