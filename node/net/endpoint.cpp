#include "node/net/endpoint.hpp"

#include <cctype>
#include <charconv>

namespace ifex {

namespace {
Result<std::uint16_t> parse_port(std::string_view s, std::string_view whole) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value == 0 || value > 65535)
    return make_error("bad_address", "'" + std::string(whole) + "': the port must be 1-65535");
  return static_cast<std::uint16_t>(value);
}
}  // namespace

Result<HostPort> parse_host_port(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return make_error("bad_address", "'" + std::string(text) + "': expected [IPV6]:PORT");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
      return make_error("bad_address", "'" + std::string(text) + "': expected HOST:PORT");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos)
      return make_error("bad_address", "'" + std::string(text) + "': write IPv6 hosts as [ADDR]:PORT");
  }
  auto p = parse_port(port, text);
  if (!p) return p.error();
  for (char c : host)
    if (static_cast<unsigned char>(c) <= 0x20 || c == '/' || c == '@')
      return make_error("bad_address", "'" + std::string(text) + "': invalid host");
  return HostPort{std::string(host), *p};
}

Result<PeerUrl> parse_peer_url(std::string_view text) {
  bool tls = false;
  std::string_view rest;
  if (text.starts_with("ws://")) {
    rest = text.substr(5);
  } else if (text.starts_with("wss://")) {
    tls = true;
    rest = text.substr(6);
  } else {
    return make_error("bad_url",
                      "'" + std::string(text) + "': a peer URL starts with ws:// or wss://");
  }
  auto slash = rest.find('/');
  std::string authority(rest.substr(0, slash));
  std::string path = slash == std::string_view::npos ? "/gossip" : std::string(rest.substr(slash));
  // No port after the host (or after an IPv6 address's bracket): the scheme's own.
  auto colon = authority.rfind(':');
  if (!authority.empty() && (colon == std::string::npos || authority.back() == ']'))
    authority += tls ? ":443" : ":80";
  auto hp = parse_host_port(authority);
  if (!hp) return make_error("bad_url", "'" + std::string(text) + "': " + hp.error().message);
  for (char c : path)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      return make_error("bad_url", "'" + std::string(text) + "': invalid path");
  return PeerUrl{tls, hp->host, hp->port, path};
}

bool is_onion_host(std::string_view host) {
  if (host.ends_with('.')) host.remove_suffix(1);
  constexpr std::string_view suffix = ".onion";
  if (host.size() <= suffix.size()) return false;
  auto tail = host.substr(host.size() - suffix.size());
  for (std::size_t i = 0; i < suffix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(tail[i])) != suffix[i]) return false;
  return true;
}

std::string PeerUrl::text() const {
  bool v6 = host.find(':') != std::string::npos;
  return std::string(tls ? "wss://" : "ws://") + (v6 ? "[" + host + "]" : host) + ":" +
         std::to_string(port) + path;
}

}  // namespace ifex
