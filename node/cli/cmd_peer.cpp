// ifexnode peer add|list|remove: the nodes this node dials (and accepts connections from).
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>

#include "keys/key_text.hpp"
#include "node/cli/cli_support.hpp"
#include "node/home/node_handle.hpp"
#include "node/net/endpoint.hpp"

namespace ifex::cli {

void add_peer_command(CLI::App& app) {
  struct Options {
    std::string data;
    std::string url;
    std::string key;
    bool json = false;
  };
  auto* peer = app.add_subcommand("peer", "Manage the nodes this node connects to");
  peer->require_subcommand(1);

  auto add = std::make_shared<Options>();
  auto* cmd_add = peer->add_subcommand("add", "Dial this node (more URLs for one key add addresses)");
  cmd_add->add_option("--data", add->data, "Data directory")->required();
  cmd_add->add_option("url", add->url, "ws://HOST:PORT/gossip")->required();
  cmd_add->add_option("key", add->key, "The peer's public key (ifexpk1...)")->required();
  cmd_add->callback([add] {
    auto url = need(parse_peer_url(add->url));
    PublicKey key = parse_member_key_argument(add->key, "key");
    NodeHandle node = need(NodeHandle::open(add->data));
    if (key == node.own_key()) throw Failure{"that is this node's own key"};
    bool added = need(node.store().peer_add({key, {url.text()}, now_ms()}));
    std::cout << (added ? "added peer " : "added an address to peer ") << fingerprint(key) << " at "
              << url.text() << "\n";
  });

  auto remove = std::make_shared<Options>();
  auto* cmd_remove = peer->add_subcommand("remove", "Stop dialing this node");
  cmd_remove->add_option("--data", remove->data, "Data directory")->required();
  cmd_remove->add_option("key", remove->key, "The peer's public key")->required();
  cmd_remove->callback([remove] {
    PublicKey key = parse_key_argument(remove->key, "key");
    NodeHandle node = need(NodeHandle::open(remove->data));
    if (!need(node.store().peer_remove(key))) throw Failure{fingerprint(key) + " is not a peer"};
    std::cout << "removed peer " << fingerprint(key) << "\n";
  });

  auto list = std::make_shared<Options>();
  auto* cmd_list = peer->add_subcommand("list", "List the peers");
  cmd_list->add_option("--data", list->data, "Data directory")->required();
  cmd_list->add_flag("--json", list->json, "Print a JSON array");
  cmd_list->callback([list] {
    NodeHandle node = need(NodeHandle::open(list->data));
    auto peers = need(node.store().peers());
    if (list->json) {
      boost::json::array out;
      for (const auto& p : peers) {
        boost::json::array urls;
        for (const auto& u : p.urls) urls.emplace_back(u);
        out.push_back(boost::json::object{{"public_key", public_key_to_text(p.key)},
                                          {"fingerprint", fingerprint(p.key)},
                                          {"urls", urls},
                                          {"added", p.added_ms}});
      }
      print_json(out);
      return;
    }
    for (const auto& p : peers) {
      std::cout << fingerprint(p.key) << "  " << public_key_to_text(p.key) << "\n";
      for (const auto& u : p.urls) std::cout << "    " << u << "\n";
    }
    if (peers.empty()) std::cout << "no peers\n";
  });
}

}  // namespace ifex::cli
