#include "node/net/server.hpp"

#include <array>
#include <optional>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "node/http/http_api.hpp"
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
using std::chrono::milliseconds;

namespace {

constexpr std::size_t max_header_bytes = 8 * 1024;

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

HttpRequest to_api_request(http::request<http::string_body>& req) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  out.host = std::string(req[http::field::host]);
  out.authorization = std::string(req[http::field::authorization]);
  out.if_none_match = std::string(req[http::field::if_none_match]);
  out.content_type = std::string(req[http::field::content_type]);
  out.body = std::move(req.body());
  return out;
}

http::response<http::string_body> from_api_response(const http::request<http::string_body>& req,
                                                    HttpResponse api) {
  http::response<http::string_body> res{static_cast<http::status>(api.status), req.version()};
  res.set(http::field::server, "ifexnode");
  if (!api.content_type.empty()) res.set(http::field::content_type, api.content_type);
  // Pages and API answers must not be framed or sniffed into another type by a browser.
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  if (api.content_type.starts_with("text/html"))
    res.set("Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  for (auto& [name, value] : api.headers) res.set(name, value);
  res.keep_alive(req.keep_alive());
  const bool head = req.method() == http::verb::head;
  res.body() = std::move(api.body);
  res.prepare_payload();
  if (head) {
    auto length = res.body().size();
    res.body().clear();
    res.content_length(length);
  }
  return res;
}

// A request the parser refused: a clear answer before closing, never silence.
std::optional<std::pair<http::status, std::string>> parse_failure(const boost::system::error_code& ec) {
  if (ec == http::error::body_limit)
    return std::pair{http::status::payload_too_large, "the request body is too large"};
  if (ec == http::error::header_limit)
    return std::pair{http::status::request_header_fields_too_large, "the request headers are too large"};
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return std::nullopt;
  if (ec.category() == http::make_error_code(http::error::bad_method).category())
    return std::pair{http::status::bad_request, "a malformed HTTP request: " + ec.message()};
  return std::nullopt;  // closed or timed out: nobody to answer
}

// After refusing a request whose body is still arriving, closing at once would make the
// client's TCP stack reset the connection and lose our answer; read and drop what is in
// flight for a bounded time and amount (a "lingering close"), then close.
awaitable<void> drain_before_close(beast::tcp_stream& stream) {
  constexpr std::size_t max_drain_bytes = 8 << 20;
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.expires_after(std::chrono::seconds(2));
  std::array<char, 16 * 1024> sink;
  for (std::size_t drained = 0; drained < max_drain_bytes;) {
    std::size_t n = co_await stream.async_read_some(asio::buffer(sink),
                                                    asio::redirect_error(use_awaitable, ec));
    if (ec) break;
    drained += n;
  }
}

// Serves plain HTTP on a connection until it upgrades to /gossip or closes. API requests run on
// the HTTP pool so a slow search never holds up gossip on the network thread.
awaitable<void> serve_connection(NetContext& ctx, beast::tcp_stream stream, std::string address,
                                 ConnectionLimiter::Token slot) {
  const auto& config = ctx.core.config();
  const auto timeout = std::chrono::milliseconds(
      std::min(config.network.handshake_timeout_ms, config.http.request_timeout_ms));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(max_header_bytes);
    parser.body_limit(config.http.max_body_bytes);
    stream.expires_after(timeout);
    boost::system::error_code ec;
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (auto failure = parse_failure(ec)) {
        http::request<http::string_body> dummy{http::verb::get, "/", 11};
        auto res = plain_response(dummy, failure->first,
                                  "{\"error\":\"" + failure->second + "\",\"status\":" +
                                      std::to_string(static_cast<int>(failure->first)) + "}\n",
                                  "application/json");
        res.keep_alive(false);
        co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
        if (!ec) co_await drain_before_close(stream);
      }
      co_return;
    }
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
    HttpRequest api_request = to_api_request(request);
    HttpResponse answer = co_await asio::co_spawn(
        ctx.http_pool,
        [&]() -> awaitable<HttpResponse> { co_return ctx.http.handle(api_request); },
        use_awaitable);
    auto res = from_api_response(request, std::move(answer));
    stream.expires_after(timeout);
    co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
    if (ec || !res.keep_alive()) co_return;
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
  // After a failed accept (out of file descriptors, above all) retrying at once would spin and
  // flood the log while the cause lasts: wait, longer each time, and log once per burst.
  milliseconds backoff(0);
  std::uint64_t failures = 0;
  asio::steady_timer pause(ioc_);
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(asio::make_strand(ioc_),
                                                          asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      if (failures++ == 0)
        log_warn("accept failed: " + ec.message() + "; retrying with a growing pause");
      backoff = std::min(std::max(backoff * 2, milliseconds(100)), milliseconds(1000));
      pause.expires_after(backoff);
      co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    if (failures > 0) {
      log_warn("accepting again after " + std::to_string(failures) + " failed accepts");
      failures = 0;
      backoff = milliseconds(0);
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
