// Opening a tunnel through a SOCKS5 proxy (RFC 1928, RFC 1929): over a TCP stream already
// connected to the proxy, the method negotiation, the username/password step when the proxy
// picks it, and CONNECT to the peer's host and port. On success the same stream carries the
// peer's bytes, and the plain or TLS session runs over it unchanged (node/net/dialer.cpp).
// A host name goes to the proxy as a name (socks5h): the node makes no DNS lookup of it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <cstdint>
#include <string>

#include "keys/result.hpp"

namespace ifex {

// Offered to the proxy as RFC 1929 credentials. Tor does not check them; it puts streams with
// different credentials on different circuits (IsolateSOCKSAuth), which is what they are for.
struct Socks5Credentials {
  std::string username;  // empty: offer no credentials
  std::string password;
};

// Every read has a fixed or length-prefixed size (at most 257 bytes); the whole exchange must
// finish within `timeout`. A failure says what the proxy answered, in words and by number.
boost::asio::awaitable<Status> socks5_connect(boost::beast::tcp_stream& stream, std::string host,
                                              std::uint16_t port, Socks5Credentials credentials,
                                              std::chrono::milliseconds timeout);

}  // namespace ifex
