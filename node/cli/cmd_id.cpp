// ifexnode id: the node's public key (text form) and fingerprint. Needs no passphrase.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>

#include "keys/key_file.hpp"
#include "keys/key_text.hpp"
#include "node/cli/cli_support.hpp"
#include "node/home/data_dir.hpp"

namespace ifex::cli {

void add_id_command(CLI::App& app) {
  struct Options {
    std::string data;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("id", "Show this node's public key and fingerprint");
  cmd->add_option("--data", o->data, "Data directory")->required();
  cmd->add_flag("--json", o->json, "Print as JSON: {public_key, fingerprint}");
  cmd->callback([o] {
    PublicKey key = need(read_key_file_public_key(DataDir{o->data}.key_file()));
    if (o->json) {
      print_json(boost::json::object{{"public_key", public_key_to_text(key)},
                                     {"fingerprint", fingerprint(key)}});
    } else {
      std::cout << public_key_to_text(key) << "\n" << "fingerprint: " << fingerprint(key) << "\n";
    }
  });
}

}  // namespace ifex::cli
