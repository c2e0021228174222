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
    case atyp_ipv4: return 4 + 2;
    case atyp_ipv6: return 16 + 2;
    case atyp_name: return std::size_t{name_length} + 2;
    default: return std::nullopt;
  }
}

std::string reply_text(std::uint8_t code) {
  const char* meaning = "an unassigned code";
  const char* words = "the proxy refused the connection";
  switch (code) {
    case 0: meaning = "succeeded"; words = "the proxy connected"; break;
    case 1: meaning = "general failure"; words = "the proxy failed"; break;
    case 2: meaning = "not allowed by ruleset"; words = "the proxy's rules refuse this destination"; break;
    case 3: meaning = "network unreachable"; words = "the proxy could not reach the host's network"; break;
    case 4: meaning = "host unreachable"; words = "the proxy could not reach the host"; break;
    case 5: meaning = "connection refused"; words = "the host refused the proxy's connection"; break;
    case 6: meaning = "TTL expired"; words = "the proxy gave up reaching the host"; break;
    case 7: meaning = "command not supported"; words = "the proxy does not support CONNECT"; break;
    case 8: meaning = "address type not supported"; words = "the proxy does not take this kind of address"; break;
    // Tor's extended codes (SocksPort ... ExtendedErrors) for onion services.
    case 0xf0: meaning = "onion service descriptor not found"; words = "Tor cannot find the onion service (is it running, is the address right?)"; break;
    case 0xf1: meaning = "onion service descriptor invalid"; words = "Tor got a bad descriptor for the onion service"; break;
    case 0xf2: meaning = "onion service introduction failed"; words = "Tor could not introduce itself to the onion service"; break;
    case 0xf3: meaning = "onion service rendezvous failed"; words = "Tor could not meet the onion service"; break;
    case 0xf4: meaning = "onion service needs client authorization"; words = "the onion service wants client authorization"; break;
    case 0xf5: meaning = "onion service client authorization wrong"; words = "the onion service refused this client's authorization"; break;
    case 0xf6: meaning = "bad onion address"; words = "Tor says the onion address is malformed"; break;
    case 0xf7: meaning = "onion service introduction timed out"; words = "Tor timed out introducing itself to the onion service"; break;
    default: break;
  }
  return std::string(words) + " (SOCKS5 reply " + std::to_string(code) + ": " + meaning + ")";
}

}  // namespace ifex::socks5
