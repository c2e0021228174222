// The gossip session over TLS (wss://): the factories for a WebSocket inside
// ssl_stream<tcp_stream>, the twin of those in gossip_session.hpp for plain TCP. The TLS
// handshake is done before they are called (node/net/tls_dial.hpp for outbound, the server's
// detection of a ClientHello for inbound). Including this costs no WebSocket code.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "node/net/gossip_session.hpp"

namespace ifex {

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

namespace gossip {

void start_inbound(NetContext& ctx, TlsStream stream, GossipRequest request, std::string address,
                   ConnectionLimiter::Token slot);

boost::asio::awaitable<SessionEnded> run_outbound(NetContext& ctx, TlsStream stream,
                                                  std::string host, std::string path,
                                                  PublicKey expected, std::string address);

}  // namespace gossip
}  // namespace ifex
