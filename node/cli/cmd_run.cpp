// ifexnode run: serve the gossip endpoint, dial the peers, replicate until stopped.
#include <CLI/CLI.hpp>

#include "node/app/node_runtime.hpp"
#include "node/base/log.hpp"
#include "node/cli/cli_support.hpp"
#include "node/home/log_settings.hpp"
#include "node/home/network_key_file.hpp"
#include "node/home/node_handle.hpp"
#include "node/home/run_lock.hpp"

namespace ifex::cli {

void add_run_command(CLI::App& app) {
  struct Options {
    std::string data;
    std::string listen;
    std::string passphrase_file;
    std::string log_level;  // "" = [log] level of ifexnode.toml
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("run", "Run the node: serve peers, dial peers, replicate");
  cmd->add_option("--data", o->data, "Data directory")->required();
  cmd->add_option("--listen", o->listen, "HOST:PORT to listen on (default: [network] listen)");
  cmd->add_option("--passphrase-file", o->passphrase_file,
                  "File holding the key's passphrase (or set IFEXNODE_PASSPHRASE_FILE)");
  cmd->add_option("--log-level", o->log_level,
                  "debug, info, warn or error for every subsystem (default: [log] of "
                  "ifexnode.toml, info)")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  cmd->callback([o] {
    LogLevel level;
    // Until the config is read (a migration of the data dir logs), the flag alone applies.
    if (parse_log_level(o->log_level, level)) set_log_level(level);
    NodeHandle node = need(NodeHandle::open(o->data));
    configure_log(log_settings(node.config().log, o->log_level));
    // Held until this process ends: a second `run` on this data dir is refused.
    RunLock run_lock = need(RunLock::acquire(node.dir().run_lock_file()));
    NetworkKey network = need(read_network_key_file(node.dir().network_key_file()));
    Identity identity =
        need(node.load_identity(passphrase_source(o->passphrase_file)), "loading the identity key");
    need(run_node(node, identity, network, o->listen, o->log_level));
  });
}

}  // namespace ifex::cli
