// The one instantiation of GossipSession for ssl_stream<tcp_stream> (wss://), and its
// factories. Beast's teardown for ssl_stream comes with <boost/beast/websocket/ssl.hpp>. The
// close frame goes through TLS like every other frame; no TLS close_notify follows it: the
// WebSocket close already says the session ended whole (docs/protocol.md, "Closing a
// connection"), and waiting for the peer's close_notify would only hold the socket longer.
#include <boost/beast/websocket/ssl.hpp>

#include "node/net/gossip_session_impl.hpp"
#include "node/net/gossip_session_tls.hpp"

namespace ifex {

template class GossipSession<TlsStream>;

namespace gossip {

void start_inbound(NetContext& ctx, TlsStream stream, GossipRequest request, std::string address,
                   ConnectionLimiter::Token slot) {
  GossipSession<TlsStream>::start_inbound(ctx, std::move(stream), std::move(request),
                                          std::move(address), std::move(slot));
}

boost::asio::awaitable<SessionEnded> run_outbound(NetContext& ctx, TlsStream stream,
                                                  std::string host, std::string path,
                                                  PublicKey expected, std::string address) {
  return GossipSession<TlsStream>::run_outbound(ctx, std::move(stream), std::move(host),
                                                std::move(path), expected, std::move(address));
}

}  // namespace gossip
}  // namespace ifex
