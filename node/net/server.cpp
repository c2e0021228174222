#include "node/net/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "node/log.hpp"
#include "node/net/endpoint.hpp"
#include "node/net/gossip_session.hpp"

namespace ifex {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t max_header_bytes = 8 * 1024;
constexpr std::size_t max_body_bytes = 64 * 1024;

http::response<http::string_body> plain_response(const http::request<http::string_body>& req,
                                                 http::status status, std::string body,
                                                 std::string content_type) {
  http::response<http::string_body> res{status, req.version()};
  res.set(http::field::server, "ifexnode");
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

// Serves plain HTTP on a connection until it upgrades to /gossip or closes.
awaitable<void> serve_connection(NetContext& ctx, beast::tcp_stream stream, std::string address,
                                 ConnectionLimiter::Token slot) {
  const auto timeout = std::chrono::milliseconds(ctx.core.config().network.handshake_timeout_ms);
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(max_header_bytes);
    parser.body_limit(max_body_bytes);
    stream.expires_after(timeout);
    boost::system::error_code ec;
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;  // closed, timed out or malformed: nothing to answer
    auto request = parser.release();
    if (beast::websocket::is_upgrade(request)) {
      if (request.target() != "/gossip") {
        auto res = plain_response(request, http::status::not_found,
                                  "{\"error\":\"no WebSocket endpoint here; use /gossip\"}\n",
                                  "application/json");
        co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
        co_return;
      }
      stream.expires_never();
      GossipSession::start_inbound(ctx, std::move(stream), std::move(request), std::move(address),
                                   std::move(slot));
      co_return;
    }
    http::response<http::string_body> res;
    if (request.target() == "/healthz")
      res = plain_response(request, http::status::ok, "ok\n", "text/plain; charset=utf-8");
    else
      res = plain_response(request, http::status::not_found, "{\"error\":\"not found\"}\n",
                           "application/json");
    co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
    if (ec || !request.keep_alive()) co_return;
  }
}

}  // namespace

Server::Server(asio::io_context& ioc, NetContext& ctx) : ioc_(ioc), ctx_(ctx), acceptor_(ioc) {}

Status Server::listen(const std::string& host_port) {
  auto hp = parse_host_port(host_port);
  if (!hp) return hp.error();
  boost::system::error_code ec;
  auto address = asio::ip::make_address(hp->host, ec);
  if (ec)
    return make_error("bad_address", "listen address '" + host_port +
                                         "': the host must be an IP address (" + ec.message() + ")");
  tcp::endpoint endpoint(address, hp->port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return make_error("listen", "cannot listen on " + host_port + ": " + ec.message());
  return Status::success();
}

void Server::start() { asio::co_spawn(ioc_, accept_loop(), asio::detached); }

awaitable<void> Server::accept_loop() {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(asio::make_strand(ioc_),
                                                          asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      log_warn("accept failed: " + ec.message());
      continue;
    }
    auto remote = socket.remote_endpoint(ec);
    std::string address = ec ? "unknown" : remote.address().to_string();
    auto slot = ctx_.limiter.acquire(address);
    if (!slot) {
      ctx_.core.counters().connections_refused++;
      log_info("refusing a connection from " + address + ": connection limit reached");
      socket.close(ec);
      continue;
    }
    std::string label = ec ? "unknown" : address + ":" + std::to_string(remote.port());
    auto executor = socket.get_executor();
    asio::co_spawn(executor,
                   serve_connection(ctx_, beast::tcp_stream(std::move(socket)), label,
                                    std::move(slot)),
                   asio::detached);
  }
}

}  // namespace ifex
