// ifexnode peer add|list|remove: the nodes this node dials (and accepts connections from).
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <iostream>

#include "keys/key_text.hpp"
#include "node/cli/cli_support.hpp"
#include "node/home/node_handle.hpp"
#include "node/home/proxy_address.hpp"
#include "node/net/endpoint.hpp"
#include "node/net/certificate_pin.hpp"

namespace ifex::cli {

namespace {

// A bounded read: a CA bundle is a few KiB; a path to something else must not fill memory.
PeerTlsTrust read_tls_trust(const std::string& ca_file, const std::string& fingerprint_text) {
  PeerTlsTrust trust;
  if (!ca_file.empty() && !fingerprint_text.empty())
    throw Failure{"give --ca or --tls-fingerprint, not both: a pinned certificate needs no CA"};
  if (!fingerprint_text.empty()) {
    auto sha = normalize_certificate_sha256(fingerprint_text);
    if (!sha) throw Failure{"--tls-fingerprint: expected a SHA-256 (64 hex digits, colons allowed)"};
    trust.certificate_sha256 = *sha;
  }
  if (!ca_file.empty()) {
    constexpr std::size_t max_ca_bytes = 1 << 20;
    std::ifstream in(ca_file, std::ios::binary);
    if (!in) throw Failure{"--ca: cannot read " + ca_file};
    std::string pem(max_ca_bytes + 1, '\0');
    in.read(pem.data(), static_cast<std::streamsize>(pem.size()));
    pem.resize(static_cast<std::size_t>(in.gcount()));
    if (pem.size() > max_ca_bytes) throw Failure{"--ca: " + ca_file + " is larger than 1 MiB"};
    if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
      throw Failure{"--ca: " + ca_file + " holds no PEM certificate"};
    trust.ca_pem = std::move(pem);
  }
  return trust;
}

boost::json::value tls_trust_json(const PeerTlsTrust& t) {
  if (!t.certificate_sha256.empty())
    return boost::json::object{{"certificate_sha256", t.certificate_sha256}};
  if (!t.ca_pem.empty()) return boost::json::object{{"ca", "pinned"}};
  return boost::json::object{{"ca", "system"}};
}

}  // namespace

void add_peer_command(CLI::App& app) {
  struct Options {
    std::string data;
    std::string url;
    std::string key;
    std::string ca_file;
    std::string tls_fingerprint;
    std::string socks5;
    bool json = false;
  };
  auto* peer = app.add_subcommand("peer", "Manage the nodes this node connects to");
  peer->require_subcommand(1);

  auto add = std::make_shared<Options>();
  auto* cmd_add = peer->add_subcommand("add", "Dial this node (more URLs for one key add addresses)");
  cmd_add->add_option("--data", add->data, "Data directory")->required();
  cmd_add->add_option("url", add->url, "ws://HOST:PORT/gossip")->required();
  cmd_add->add_option("key", add->key, "The peer's public key (ifexpk1...)")->required();
  cmd_add->add_option("--ca", add->ca_file,
                      "wss://: trust only the CA certificates (PEM) in this file for this peer");
  cmd_add->add_option("--tls-fingerprint", add->tls_fingerprint,
                      "wss://: accept exactly the certificate with this SHA-256 (as `openssl "
                      "x509 -fingerprint -sha256` prints it), self-signed or not");
  cmd_add->add_option("--socks5", add->socks5,
                      "dial this peer through the SOCKS5 proxy at IP:PORT (over [network] "
                      "socks5_proxy), or `none`: directly");
  cmd_add->callback([add] {
    auto url = need(parse_peer_url(add->url));
    PublicKey key = parse_member_key_argument(add->key, "key");
    PeerTlsTrust tls = read_tls_trust(add->ca_file, add->tls_fingerprint);
    if (!tls.empty() && !url.tls)
      throw Failure{"--ca and --tls-fingerprint are for wss:// URLs; " + url.text() +
                    " is plain WebSocket"};
    if (!add->socks5.empty() && add->socks5 != peer_proxy_direct &&
        !parse_proxy_address(add->socks5))
      throw Failure{"--socks5: " + parse_proxy_address(add->socks5).error().message +
                    ", or `none`"};
    if (add->socks5 == peer_proxy_direct && is_onion_host(url.host))
      throw Failure{url.host + " is a Tor onion service: it is reached only through Tor's "
                    "SOCKS5 proxy, not with --socks5 none"};
    NodeHandle node = need(NodeHandle::open(add->data));
    if (key == node.own_key()) throw Failure{"that is this node's own key"};
    bool added = need(node.store().peer_add({key, {url.text()}, now_ms(), tls, add->socks5}));
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
                                          {"added", p.added_ms},
                                          {"tls", tls_trust_json(p.tls)},
                                          {"socks5", p.socks5.empty() ? "default" : p.socks5}});
      }
      print_json(out);
      return;
    }
    for (const auto& p : peers) {
      std::cout << fingerprint(p.key) << "  " << public_key_to_text(p.key) << "\n";
      for (const auto& u : p.urls) std::cout << "    " << u << "\n";
      if (!p.tls.certificate_sha256.empty())
        std::cout << "    TLS: only the certificate with SHA-256 " << p.tls.certificate_sha256 << "\n";
      else if (!p.tls.ca_pem.empty())
        std::cout << "    TLS: only CAs given with --ca\n";
      if (p.socks5 == peer_proxy_direct)
        std::cout << "    dialed directly, not through [network] socks5_proxy\n";
      else if (!p.socks5.empty())
        std::cout << "    dialed through the SOCKS5 proxy " << p.socks5 << "\n";
    }
    if (peers.empty()) std::cout << "no peers\n";
  });
}

}  // namespace ifex::cli
