// ifexnode init: a new identity, configuration and empty store in a new data dir.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "keys/key_file.hpp"
#include "keys/key_text.hpp"
#include "node/cli/cli_support.hpp"
#include "node/home/data_format.hpp"
#include "node/home/admin_token.hpp"
#include "node/home/network_key_file.hpp"
#include "node/home/node_handle.hpp"
#include "protocol/invitation.hpp"

namespace ifex::cli {

namespace {

struct InitOptions {
  std::string data;
  std::string name;
  std::string role = "member";
  std::string passphrase_file;
  std::string kdf = "moderate";
  std::string network_key;
  std::string network_key_file;
  std::string listen;
  std::string join;  // an invitation file
  bool json = false;
};

KdfParams kdf_params(const std::string& strength) {
  if (strength == "interactive") return KdfParams::interactive();
  if (strength == "sensitive") return KdfParams::sensitive();
  return KdfParams::moderate();
}

// Removes what init created if a later step fails, so a retry starts clean.
struct Cleanup {
  std::vector<std::filesystem::path> created;
  bool armed = true;
  ~Cleanup() {
    if (!armed) return;
    std::error_code ec;
    for (auto it = created.rbegin(); it != created.rend(); ++it) std::filesystem::remove_all(*it, ec);
  }
};

void run_init(const InitOptions& o) {
  DataDir dir{o.data};
  NodeRole role = need(parse_role(o.role));
  if (o.name.empty()) throw Failure{"--name must not be empty"};
  const bool has_config = std::filesystem::exists(dir.config_file());
  if (has_config && std::filesystem::exists(dir.store_dir()))
    throw Failure{o.data + " already holds a node; refusing to overwrite it"};
  if (has_config || std::filesystem::exists(dir.key_file()) ||
      std::filesystem::exists(dir.network_key_file()) ||
      std::filesystem::exists(dir.admin_token_file()) ||
      std::filesystem::exists(dir.store_dir()))
    throw Failure{o.data + " holds part of a node (an interrupted init?); refusing to overwrite "
                  "it. If it holds nothing you need, remove it and run init again"};

  // The federation's key: given (joining), or new (founding a federation).
  bool new_network = o.network_key.empty() && o.network_key_file.empty() && o.join.empty();
  NetworkKey network;
  if (!o.join.empty()) {
    std::ifstream in(o.join);
    if (!in) throw Failure{"cannot read " + o.join};
    std::stringstream text;
    text << in.rdbuf();
    network = need(decode_invitation(text.str()), o.join).network_key;
  } else if (!o.network_key.empty()) {
    network = need(network_key_from_text(o.network_key), "--network-key");
  } else if (!o.network_key_file.empty()) {
    std::ifstream in(o.network_key_file);
    std::stringstream text;
    text << in.rdbuf();
    network = need(network_key_from_text(text.str()), o.network_key_file);
  } else {
    network = generate_network_key();
  }

  Cleanup cleanup;
  if (!std::filesystem::exists(dir.root)) {
    std::error_code ec;
    std::filesystem::create_directories(dir.root, ec);
    if (ec) throw Failure{"cannot create " + o.data + ": " + ec.message()};
    ::chmod(dir.root.c_str(), 0700);
    cleanup.created.push_back(dir.root);
  }

  std::optional<SecretBytes> passphrase;
  if (auto source = passphrase_source(o.passphrase_file))
    passphrase = need(read_passphrase_file(*source), "reading the passphrase file");
  Identity identity = Identity::generate();
  need(write_key_file(dir.key_file(), identity, passphrase ? &*passphrase : nullptr,
                      kdf_params(o.kdf)),
       "writing the key file");
  cleanup.created.push_back(dir.key_file());

  need(write_network_key_file(dir.network_key_file(), network, false), "writing the network key");
  cleanup.created.push_back(dir.network_key_file());

  need(create_admin_token(dir.admin_token_file()), "writing the admin token");
  cleanup.created.push_back(dir.admin_token_file());

  NodeConfig config;
  config.name = o.name;
  config.role = role;
  if (!o.listen.empty()) config.network.listen = o.listen;
  // Relays store and forward for anyone in the federation.
  config.network.accept_unknown_peers = role == NodeRole::relay;
  // Hubs and members serve the archive to readers; a relay keeps a low profile.
  config.http.public_reads = role != NodeRole::relay;
  need(write_new_config(dir.config_file(), config), "writing the configuration");
  cleanup.created.push_back(dir.config_file());

  cleanup.created.push_back(dir.store_dir());
  StoreOptions options = store_options(dir, config);
  options.create_if_missing = true;
  auto store = need(Store::open(options), "creating the store");
  need(store->set_meta("own_key", public_key_to_text(identity.public_key())));
  need(store->set_meta("created_ms", std::to_string(now_ms())));
  store.reset();
  need(write_data_format(dir), "writing the data directory's format");
  cleanup.created.push_back(dir.root / "format");
  cleanup.armed = false;
  if (!o.join.empty()) join_federation(o.data, o.join, false);

  if (!passphrase)
    warn("the identity key in " + dir.key_file().string() +
         " is not encrypted: anyone who can read it can publish as this node. "
         "Use --passphrase-file to encrypt it.");
  if (new_network && !o.json)
    std::cerr
        << "note: created a new federation network key in " << dir.network_key_file().string()
        << "; other nodes join with `ifexnode init --network-key-file FILE`, FILE being a "
           "copy of it (a secret: carry it as one; on a command line it would show in `ps`)\n";
  const std::string key_text = public_key_to_text(identity.public_key());
  if (o.json) {
    print_json(boost::json::object{{"public_key", key_text},
                                   {"fingerprint", fingerprint(identity.public_key())},
                                   {"name", o.name},
                                   {"role", std::string(role_name(role))},
                                   {"data", dir.root.string()}});
  } else {
    std::cout << "created " << role_name(role) << " node '" << o.name << "' in " << o.data << "\n"
              << "public key:  " << key_text << "\n"
              << "fingerprint: " << fingerprint(identity.public_key()) << "\n";
  }
}

}  // namespace

void add_init_command(CLI::App& app) {
  auto o = std::make_shared<InitOptions>();
  auto* cmd = app.add_subcommand("init", "Create a node: identity key, configuration, empty store");
  cmd->add_option("--data", o->data, "Data directory to create")->required();
  cmd->add_option("--name", o->name, "The organisation's name, as peers will see it")->required();
  cmd->add_option("--role", o->role, "member, hub or relay")
      ->check(CLI::IsMember({"member", "hub", "relay"}))
      ->capture_default_str();
  cmd->add_option("--passphrase-file", o->passphrase_file,
                  "Encrypt the key with the passphrase in this file (first line)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--kdf", o->kdf, "Passphrase hardening: interactive, moderate or sensitive")
      ->check(CLI::IsMember({"interactive", "moderate", "sensitive"}))
      ->capture_default_str();
  auto* net_key = cmd->add_option(
      "--network-key", o->network_key,
      "Join the federation with this network key (ifexnet1...; visible in `ps`: prefer the file)");
  auto* net_key_file = cmd->add_option("--network-key-file", o->network_key_file,
                  "Join the federation with the network key in this file (another node's "
                  "network.key, or what `network-key show` prints)")
      ->check(CLI::ExistingFile)
      ->excludes(net_key);
  cmd->add_option("--join", o->join,
                  "Join the federation of this invitation file (`federation create` makes it): "
                  "its network key, genesis and peers; nothing else to set up")
      ->check(CLI::ExistingFile)
      ->excludes(net_key)
      ->excludes(net_key_file);
  cmd->add_option("--listen", o->listen, "HOST:PORT the node will listen on")
      ->capture_default_str();
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  cmd->callback([o] { run_init(*o); });
}

}  // namespace ifex::cli
