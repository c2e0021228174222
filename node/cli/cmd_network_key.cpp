// ifexnode network-key new|show|set: the federation's shared network key.
#include <CLI/CLI.hpp>
#include <iostream>

#include "node/cli/cli_support.hpp"
#include "node/home/data_dir.hpp"
#include "node/home/network_key_file.hpp"

namespace ifex::cli {

void add_network_key_command(CLI::App& app) {
  struct Options {
    std::string data;
    std::string key;
    bool replace = false;
  };
  auto* cmd = app.add_subcommand("network-key", "Create, show or set the federation network key");
  cmd->require_subcommand(1);

  cmd->add_subcommand("new", "Print a new network key (to found a federation)")->callback([] {
    std::cout << network_key_to_text(generate_network_key()) << "\n";
  });

  auto show = std::make_shared<Options>();
  auto* cmd_show = cmd->add_subcommand("show", "Print this node's network key (a shared secret)");
  cmd_show->add_option("--data", show->data, "Data directory")->required();
  cmd_show->callback([show] {
    NetworkKey key = need(read_network_key_file(DataDir{show->data}.network_key_file()));
    std::cout << network_key_to_text(key) << "\n";
  });

  auto set = std::make_shared<Options>();
  auto* cmd_set = cmd->add_subcommand("set", "Store the federation's network key in this node");
  cmd_set->add_option("--data", set->data, "Data directory")->required();
  cmd_set->add_option("key", set->key, "The network key (ifexnet1...)")->required();
  cmd_set->add_flag("--replace", set->replace, "Replace a network key already set");
  cmd_set->callback([set] {
    NetworkKey key = need(network_key_from_text(set->key), "key");
    need(write_network_key_file(DataDir{set->data}.network_key_file(), key, set->replace));
    std::cout << "network key set\n";
  });
}

}  // namespace ifex::cli
