// Dialing a wss:// peer: the TLS handshake over a connected TCP stream, the certificate checked
// as the peer's trust says (node/store/store.hpp, PeerTlsTrust), then the gossip session inside.
// A certificate that fails the check ends the attempt before one byte of the protocol is sent.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>

#include "node/net/endpoint.hpp"
#include "node/net/gossip_session.hpp"
#include "node/store/store.hpp"

namespace ifex {

boost::asio::awaitable<SessionEnded> run_tls_outbound(NetContext& ctx,
                                                      boost::beast::tcp_stream stream,
                                                      const PeerUrl& url,
                                                      const PeerTlsTrust& trust,
                                                      PublicKey expected,
                                                      std::chrono::milliseconds handshake_timeout);

}  // namespace ifex
