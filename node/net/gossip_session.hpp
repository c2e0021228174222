// The gossip session: one WebSocket connection to another node, from the handshake to the
// close. Runs on its stream's strand; reads frames, decrypts and decodes them, hands entries to
// a verify strand on the pool and everything in arrival order to the core. Writes are one at a
// time from a queue bounded in bytes (a peer that reads too slowly is dropped, never buffered
// without end). How it ends on the wire: docs/protocol.md, "Closing a connection".
//
// The session is one template on its byte stream (node/net/gossip_session_impl.hpp), built once
// per stream type in its own file; this header holds only the factories, so including it costs
// no WebSocket code. A new stream (TLS, SOCKS5, a proxy) is one more instantiation file and one
// more pair of factories here (docs/architecture.md, "Transport seam").
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

#include "keys/bytes.hpp"
#include "node/net/connection_limiter.hpp"
#include "node/net/net_context.hpp"

namespace ifex {

// The HTTP upgrade request an inbound session answers.
using GossipRequest = boost::beast::http::request<boost::beast::http::string_body>;

// How an outbound session ended.
struct SessionEnded {
  std::string reason;  // for the log and the dial status
  bool handshake_done = false;
  // The peer closed after the handshake without sending one message: what a node does to a
  // second connection of a key it already has (NodeCore::session_up).
  bool dropped_unheard = false;
};

namespace gossip {

// Inbound: `request` (an upgrade to /gossip) was read from `stream`, which holds `slot` of the
// connection limiter. Starts the session on the stream's executor (a strand) and returns.
void start_inbound(NetContext& ctx, boost::beast::tcp_stream stream, GossipRequest request,
                   std::string address, ConnectionLimiter::Token slot);

// Outbound: a connected stream to a peer we expect to hold `expected`; `host` and `path` go
// into the upgrade request. Completes when the connection has ended.
boost::asio::awaitable<SessionEnded> run_outbound(NetContext& ctx, boost::beast::tcp_stream stream,
                                                  std::string host, std::string path,
                                                  PublicKey expected, std::string address);

}  // namespace gossip
}  // namespace ifex
