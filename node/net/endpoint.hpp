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
  std::string host;
  std::uint16_t port = 0;
  std::string path = "/gossip";
  std::string text() const;
};

Result<HostPort> parse_host_port(std::string_view text);
// Only ws:// for now: operators put TLS in front with a reverse proxy, and the authentication
// and encryption live inside the WebSocket anyway (docs/protocol.md, "Handshake").
Result<PeerUrl> parse_peer_url(std::string_view text);

}  // namespace ifex
