// Parsing of the addresses an operator writes: `HOST:PORT` to listen on, `ws://HOST:PORT/PATH`
// for a peer. IPv6 hosts are written in brackets ([::1]:7400).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "keys/result.hpp"

namespace ifex {

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

struct PeerUrl {
  bool tls = false;  // wss://: TLS to the peer (or to the proxy in front of it)
  std::string host;
  std::uint16_t port = 0;
  std::string path = "/gossip";
  std::string text() const;
};

Result<HostPort> parse_host_port(std::string_view text);
// ws://HOST[:PORT][/PATH] or wss://...; the port defaults to 80 and 443, the path to /gossip.
// The nodes authenticate each other inside the WebSocket either way (docs/protocol.md,
// "Handshake"); TLS adds what docs/threat-model.md says.
Result<PeerUrl> parse_peer_url(std::string_view text);
// A Tor onion service's name (ends in .onion, any case, with or without the final dot): reachable
// only through Tor, never to be looked up or dialed directly.
bool is_onion_host(std::string_view host);

}  // namespace ifex
