#include "node/net/socks5_messages.hpp"

#include <boost/asio/ip/address.hpp>

namespace ifex::socks5 {

namespace {
constexpr std::uint8_t command_connect = 1;
constexpr std::uint8_t atyp_ipv4 = 1;
constexpr std::uint8_t atyp_name = 3;
constexpr std::uint8_t atyp_ipv6 = 4;

void append(Bytes& out, std::string_view text) {
  for (char c : text) out.push_back(static_cast<std::uint8_t>(c));
}
}  // namespace

Bytes greeting(bool offer_password) {
  if (offer_password) return {version, 2, method_none, method_password};
  return {version, 1, method_none};
}

Bytes password_request(std::string_view username, std::string_view password) {
  Bytes out;
  out.reserve(3 + username.size() + password.size());
  out.push_back(password_version);
  out.push_back(static_cast<std::uint8_t>(username.size()));
  append(out, username);
  out.push_back(static_cast<std::uint8_t>(password.size()));
  append(out, password);
  return out;
}

Result<Bytes> connect_request(std::string_view host, std::uint16_t port) {
  Bytes out;
  out.reserve(7 + max_field_bytes);
  out.push_back(version);
  out.push_back(command_connect);
  out.push_back(0);
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(host), ec);
  if (!ec && address.is_v4()) {
    out.push_back(atyp_ipv4);
    for (auto b : address.to_v4().to_bytes()) out.push_back(b);
  } else if (!ec && address.is_v6()) {
    out.push_back(atyp_ipv6);
    for (auto b : address.to_v6().to_bytes()) out.push_back(b);
  } else {
    if (host.empty() || host.size() > max_field_bytes)
      return make_error("bad_address", "a host name for a SOCKS5 proxy is 1-255 bytes long");
    out.push_back(atyp_name);
    out.push_back(static_cast<std::uint8_t>(host.size()));
    append(out, host);
  }
  out.push_back(static_cast<std::uint8_t>(port >> 8));
  out.push_back(static_cast<std::uint8_t>(port & 0xff));
  return out;
}

std::optional<std::size_t> bound_address_bytes(std::uint8_t atyp, std::uint8_t name_length) {
  switch (atyp) {
    case atyp_ipv4:
      return 4 + 2;
    case atyp_ipv6:
      return 16 + 2;
    case atyp_name:
      return std::size_t{name_length} + 2;
    default:
      return std::nullopt;
  }
}

namespace {
struct ReplyCode {
  std::uint8_t code;
  const char* meaning;  // RFC 1928's name (or Tor's, for its extended codes)
  const char* words;    // what it means for the operator
};
constexpr ReplyCode reply_codes[] = {
    {0, "succeeded", "the proxy connected"},
    {1, "general failure", "the proxy failed"},
    {2, "not allowed by ruleset", "the proxy's rules refuse this destination"},
    {3, "network unreachable", "the proxy could not reach the host's network"},
    {4, "host unreachable", "the proxy could not reach the host"},
    {5, "connection refused", "the host refused the proxy's connection"},
    {6, "TTL expired", "the proxy gave up reaching the host"},
    {7, "command not supported", "the proxy does not support CONNECT"},
    {8, "address type not supported", "the proxy does not take this kind of address"},
    // Tor's extended codes for onion services (SocksPort ... ExtendedErrors).
    {0xf0, "onion service descriptor not found",
     "Tor cannot find the onion service (is it running, is the address right?)"},
    {0xf1, "onion service descriptor invalid", "Tor got a bad descriptor for the onion service"},
    {0xf2, "onion service introduction failed", "Tor could not reach the onion service"},
    {0xf3, "onion service rendezvous failed", "Tor could not meet the onion service"},
    {0xf4, "onion service needs client authorization",
     "the onion service wants client authorization"},
    {0xf5, "onion service client authorization wrong",
     "the onion service refused this client's authorization"},
    {0xf6, "bad onion address", "Tor says the onion address is malformed"},
    {0xf7, "onion service introduction timed out", "Tor timed out reaching the onion service"},
};
}  // namespace

std::string reply_text(std::uint8_t code) {
  const char* meaning = "an unassigned code";
  const char* words = "the proxy refused the connection";
  for (const auto& r : reply_codes)
    if (r.code == code) {
      meaning = r.meaning;
      words = r.words;
    }
  return std::string(words) + " (SOCKS5 reply " + std::to_string(code) + ": " + meaning + ")";
}

}  // namespace ifex::socks5
