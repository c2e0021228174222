// ifexnode roster add|list|remove: the authors whose entries this node accepts.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>

#include "keys/key_text.hpp"
#include "node/cli/cli_support.hpp"
#include "node/codec/entry_json.hpp"
#include "node/home/node_handle.hpp"
#include "protocol/utf8.hpp"

namespace ifex::cli {

void add_roster_command(CLI::App& app) {
  struct Options {
    std::string data;
    std::string key;
    std::string name;
    bool json = false;
  };
  auto* roster = app.add_subcommand("roster", "Manage the authors this node accepts entries from");
  roster->require_subcommand(1);

  auto add = std::make_shared<Options>();
  auto* cmd_add = roster->add_subcommand("add", "Accept entries from this author");
  cmd_add->add_option("--data", add->data, "Data directory")->required();
  cmd_add->add_option("key", add->key, "The author's public key (ifexpk1...)")->required();
  auto* name_option = cmd_add->add_option(
      "--name", add->name, "A name to show for this author (absent: an existing name is kept)");
  cmd_add->callback([add, name_option] {
    PublicKey key = parse_member_key_argument(add->key, "key");
    if (!is_valid_utf8(add->name) || add->name.size() > 256)
      throw Failure{"--name must be UTF-8 of at most 256 bytes"};
    NodeHandle node = need(NodeHandle::open(add->data));
    std::string name = add->name;
    // Re-adding a member without --name (as a script looping over keys does) keeps its name.
    if (name_option->count() == 0)
      for (const auto& m : need(node.store().roster()))
        if (m.key == key) name = m.name;
    bool added = need(node.store().roster_add({key, name, now_ms()}));
    std::cout << (added ? "added " : "updated ") << fingerprint(key)
              << (name.empty() ? "" : " (" + name + ")") << "\n";
  });

  auto remove = std::make_shared<Options>();
  auto* cmd_remove = roster->add_subcommand("remove", "Stop accepting entries from this author");
  cmd_remove->add_option("--data", remove->data, "Data directory")->required();
  cmd_remove->add_option("key", remove->key, "The author's public key")->required();
  cmd_remove->callback([remove] {
    PublicKey key = parse_key_argument(remove->key, "key");
    NodeHandle node = need(NodeHandle::open(remove->data));
    if (!need(node.store().roster_remove(key)))
      throw Failure{fingerprint(key) + " is not on the roster"};
    std::cout << "removed " << fingerprint(key)
              << " (entries already stored are kept)\n";
  });

  auto list = std::make_shared<Options>();
  auto* cmd_list = roster->add_subcommand("list", "List the accepted authors");
  cmd_list->add_option("--data", list->data, "Data directory")->required();
  cmd_list->add_flag("--json", list->json, "Print a JSON array");
  cmd_list->callback([list] {
    NodeHandle node = need(NodeHandle::open(list->data));
    auto members = need(node.store().roster());
    if (list->json) {
      boost::json::array out;
      for (const auto& m : members)
        out.push_back(boost::json::object{{"public_key", public_key_to_text(m.key)},
                                          {"fingerprint", fingerprint(m.key)},
                                          {"name", m.name},
                                          {"added", m.added_ms}});
      print_json(out);
      return;
    }
    for (const auto& m : members)
      std::cout << fingerprint(m.key) << "  " << public_key_to_text(m.key) << "  " << m.name
                << "\n";
    if (members.empty()) std::cout << "the roster is empty (this node accepts only its own entries)\n";
  });
}

}  // namespace ifex::cli
