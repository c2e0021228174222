// ifexnode publishing status|hold|release: the publishing hold that keeps a restored node from
// signing over a head the federation has already passed (node/store/publishing_hold.cpp).
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>

#include "node/cli/cli_support.hpp"
#include "node/codec/entry_json.hpp"
#include "node/home/node_handle.hpp"

namespace ifex::cli {

void add_publishing_command(CLI::App& app) {
  struct Options {
    std::string data;
    bool json = false;
    bool accept_fork_risk = false;
  };
  auto* publishing = app.add_subcommand(
      "publishing", "Show, set or lift the hold on publishing (after a restore)");
  publishing->require_subcommand(1);

  auto status = std::make_shared<Options>();
  auto* cmd_status = publishing->add_subcommand("status", "Whether publishing is held, and why");
  cmd_status->add_option("--data", status->data, "Data directory")->required();
  cmd_status->add_flag("--json", status->json, "Print JSON");
  cmd_status->callback([status] {
    NodeHandle node = need(NodeHandle::open(status->data));
    auto hold = need(node.store().publishing_hold());
    if (status->json) {
      boost::json::object out{{"held", hold.has_value()}};
      if (hold) {
        out["reason"] = hold->reason;
        out["since"] = iso8601_utc(hold->since_ms);
        out["detail"] = hold->detail;
      }
      print_json(out);
      return;
    }
    if (!hold) {
      std::cout << "publishing is open\n";
      return;
    }
    std::cout << "publishing is held since " << iso8601_utc(hold->since_ms) << " ("
              << hold->reason << "): " << hold->detail << "\n";
  });

  auto hold = std::make_shared<Options>();
  auto* cmd_hold = publishing->add_subcommand(
      "hold", "Hold publishing until the running node has confirmed its own log with a peer "
              "(after restoring a store in a way that keeps its file, e.g. a snapshot)");
  cmd_hold->add_option("--data", hold->data, "Data directory")->required();
  cmd_hold->callback([hold] {
    NodeHandle node = need(NodeHandle::open(hold->data));
    bool set = need(node.store().hold_publishing(
        {"operator", now_ms(), "the operator held publishing (`ifexnode publishing hold`)"}));
    std::cout << (set ? "publishing is held" : "publishing was already held") << "\n";
  });

  auto release = std::make_shared<Options>();
  auto* cmd_release = publishing->add_subcommand(
      "release", "Lift the hold without waiting for a peer (risks forking this node's log)");
  cmd_release->add_option("--data", release->data, "Data directory")->required();
  cmd_release->add_flag(
      "--accept-fork-risk", release->accept_fork_risk,
      "Confirm that no other node can hold entries of this node newer than this store's");
  cmd_release->callback([release] {
    if (!release->accept_fork_risk)
      throw Failure{
          "not lifted: if any other node holds an entry of this node's log newer than this "
          "store's head, the next alert takes the same seq with another id, and this node's "
          "log is frozen everywhere as soon as one node sees both. Let the running node "
          "confirm its log with a peer instead; lift the hold by hand only when no other "
          "node can hold newer entries (this node never published beyond its backup, or "
          "is alone): add --accept-fork-risk"};
    NodeHandle node = need(NodeHandle::open(release->data));
    bool lifted = need(node.store().release_publishing());
    std::cout << (lifted ? "publishing is open (the hold was lifted by hand)"
                         : "publishing was not held")
              << "\n";
  });
}

}  // namespace ifex::cli
