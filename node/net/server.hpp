// A listening port of the node: HTTP requests, and the WebSocket upgrade on /gossip that starts
// a GossipSession. Plain requests go to the HTTP API. With a certificate, a connection that
// opens with a TLS ClientHello gets TLS first (https://, wss://) on the same port.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "keys/result.hpp"
#include "node/base/throttled_log.hpp"
#include "node/net/net_context.hpp"

namespace ifex {

class TlsServerContext;

class Server {
 public:
  struct Tls {
    const TlsServerContext* context = nullptr;  // none: plain only
    bool required = false;                      // refuse connections that do not start TLS
  };
  Server(boost::asio::io_context& ioc, NetContext& ctx, Tls tls);
  // Binds and listens; a clear error when the address is taken or invalid.
  Status listen(const std::string& host_port);
  void start();  // accepts until the io_context stops
  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::io_context& ioc_;
  NetContext& ctx_;
  Tls tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  ThrottledLog refusals_{LogArea::net, "connections_refused", "refusing connections"};
};

}  // namespace ifex
