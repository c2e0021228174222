// The gossip session over plain TCP (ws://): the one instantiation of GossipSession for
// beast::tcp_stream, and its factories. A TLS session is a file like this one for
// ssl_stream<tcp_stream> (docs/architecture.md, "Transport seam").
#include <boost/beast/core/tcp_stream.hpp>

#include "node/net/gossip_session.hpp"
#include "node/net/gossip_session_impl.hpp"

namespace ifex {

template class GossipSession<boost::beast::tcp_stream>;

namespace gossip {

void start_inbound(NetContext& ctx, boost::beast::tcp_stream stream, GossipRequest request,
                   std::string address, ConnectionLimiter::Token slot) {
  GossipSession<boost::beast::tcp_stream>::start_inbound(ctx, std::move(stream), std::move(request),
                                                         std::move(address), std::move(slot));
}

boost::asio::awaitable<SessionEnded> run_outbound(NetContext& ctx, boost::beast::tcp_stream stream,
                                                  std::string host, std::string path,
                                                  PublicKey expected, std::string address) {
  return GossipSession<boost::beast::tcp_stream>::run_outbound(
      ctx, std::move(stream), std::move(host), std::move(path), expected, std::move(address));
}

}  // namespace gossip
}  // namespace ifex
