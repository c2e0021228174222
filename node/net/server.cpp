#include "node/net/server.hpp"

#include <array>
#include <ctime>
#include <optional>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/websocket.hpp>

#include "node/base/log.hpp"
#include "node/codec/header_value.hpp"
#include "node/net/address_prefix.hpp"
#include "node/net/endpoint.hpp"
#include "node/net/gossip_session.hpp"
#include "node/net/gossip_session_tls.hpp"
#include "node/net/http_request_reader.hpp"
#include "node/net/tls_server_context.hpp"

namespace ifex {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;

namespace {

// A JSON error body; `message` is the node's own text, never an echo of the request.
std::string error_json(http::status status, const std::string& message) {
  return "{\"error\":\"" + message + "\",\"status\":" + std::to_string(static_cast<int>(status)) +
         "}\n";
}

// RFC 9110's Date (an origin server with a clock sends it): caches age answers by it, and
// `ifexnode doctor` on another node compares clocks with it.
std::string http_date_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[40];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return text;
}

http::response<http::string_body> plain_response(unsigned version, bool keep_alive,
                                                 http::status status, std::string body,
                                                 std::string content_type) {
  http::response<http::string_body> res{status, version};
  res.set(http::field::date, http_date_now());
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(keep_alive);
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

// Every header the API asks for passes here, the one place where a value chosen from a request
// could reach the wire: one with a line break or a control character is never sent.
bool headers_are_safe(const HttpResponse& api) {
  if (!is_safe_header_value(api.content_type)) return false;
  for (const auto& [name, value] : api.headers)
    if (!is_safe_header_name(name) || !is_safe_header_value(value)) return false;
  return true;
}

http::response<http::string_body> from_api_response(const http::request<http::string_body>& req,
                                                    HttpResponse api) {
  if (!headers_are_safe(api)) {
    log_event(LogLevel::warn, LogArea::http, "response_refused",
              "refused to send a response whose headers hold a line break or a control character");
    return plain_response(req.version(), false, http::status::internal_server_error,
                          error_json(http::status::internal_server_error,
                                     "internal error: the response was refused"),
                          "application/json");
  }
  http::response<http::string_body> res{static_cast<http::status>(api.status), req.version()};
  res.set(http::field::date, http_date_now());
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

// After refusing a request whose body is still arriving, closing at once would make the
// client's TCP stack reset the connection and lose our answer; read and drop what is in
// flight for a bounded time and amount (a "lingering close"), then close.
template <class Stream>
awaitable<void> drain_before_close(Stream& stream) {
  constexpr std::size_t max_drain_bytes = 8 << 20;
  boost::system::error_code ec;
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ec);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
  std::array<char, 16 * 1024> sink;
  for (std::size_t drained = 0; drained < max_drain_bytes;) {
    std::size_t n = co_await stream.async_read_some(asio::buffer(sink),
                                                    asio::redirect_error(use_awaitable, ec));
    if (ec) break;
    drained += n;
  }
}

HttpReadLimits read_limits(const NodeConfig& config) {
  HttpReadLimits limits;
  limits.max_header_bytes = config.http.max_header_bytes;
  limits.max_body_bytes = config.http.max_body_bytes;
  limits.header_timeout =
      milliseconds(std::min(config.http.header_timeout_ms, config.http.request_timeout_ms));
  limits.body_timeout = milliseconds(config.http.request_timeout_ms);
  return limits;
}

// The limiter may need this slot for a newcomer: closing the socket ends whatever read or
// write is pending. Posted to the connection's strand; a no-op once the stream is gone.
template <class Stream>
void close_on_evict(ConnectionLimiter::Token& slot, const std::shared_ptr<Stream>& stream) {
  slot->on_evict([weak = std::weak_ptr<Stream>(stream), ex = stream->get_executor()] {
    asio::post(ex, [weak] {
      if (auto s = weak.lock()) beast::get_lowest_layer(*s).close();
    });
  });
}

// Serves HTTP on a connection (plain or inside TLS) until it upgrades to /gossip or closes;
// `buffer` holds what was read already. API requests run on the HTTP pool so a slow search
// never holds up gossip on the network thread.
template <class Stream>
awaitable<void> serve_http(NetContext& ctx, std::shared_ptr<Stream> stream,
                           beast::flat_buffer buffer, std::string address,
                           ConnectionLimiter::Token slot) {
  close_on_evict(slot, stream);
  const HttpReadLimits limits = read_limits(ctx.core.config());
  for (;;) {
    http::request_parser<http::string_body> parser;
    HttpReadOutcome read = co_await read_http_request(
        *stream, buffer, parser, limits,
        [&](milliseconds d) { beast::get_lowest_layer(*stream).expires_after(d); });
    boost::system::error_code ec;
    if (read.kind == HttpReadOutcome::Kind::closed) co_return;
    if (read.kind == HttpReadOutcome::Kind::refused) {
      // A clear answer before closing, never silence; the connection cannot be trusted to be
      // framed any more, so it ends here.
      auto res = plain_response(11, false, read.status, error_json(read.status, read.reason),
                                "application/json");
      beast::get_lowest_layer(*stream).expires_after(limits.header_timeout);
      co_await http::async_write(*stream, res, asio::redirect_error(use_awaitable, ec));
      if (!ec) co_await drain_before_close(*stream);
      co_return;
    }
    auto request = parser.release();
    if (beast::websocket::is_upgrade(request)) {
      if (request.target() != "/gossip") {
        auto res = plain_response(request.version(), false, http::status::not_found,
                                  error_json(http::status::not_found,
                                             "no WebSocket endpoint here; use /gossip"),
                                  "application/json");
        co_await http::async_write(*stream, res, asio::redirect_error(use_awaitable, ec));
        co_return;
      }
      beast::get_lowest_layer(*stream).expires_never();
      Stream upgraded = std::move(*stream);
      stream.reset();  // nothing may close the moved-from stream now
      gossip::start_inbound(ctx, std::move(upgraded), std::move(request), std::move(address),
                            std::move(slot));
      co_return;
    }
    HttpRequest api_request = to_api_request(request);
    HttpResponse answer = co_await asio::co_spawn(
        ctx.http_pool,
        [&]() -> awaitable<HttpResponse> { co_return ctx.http.handle(api_request); },
        use_awaitable);
    auto res = from_api_response(request, std::move(answer));
    beast::get_lowest_layer(*stream).expires_after(limits.body_timeout);
    co_await http::async_write(*stream, res, asio::redirect_error(use_awaitable, ec));
    if (ec || !res.keep_alive()) co_return;
  }
}

// A new connection: TLS when it opens with a ClientHello (and this listener has a
// certificate), else plain HTTP unless TLS is required here. The first bytes read stay in
// the buffer for whichever side takes them.
awaitable<void> serve_connection(NetContext& ctx, Server::Tls tls,
                                 std::shared_ptr<beast::tcp_stream> stream, std::string address,
                                 ConnectionLimiter::Token slot) {
  const HttpReadLimits limits = read_limits(ctx.core.config());
  beast::flat_buffer buffer(limits.read_buffer_bytes());
  if (!tls.context) {
    co_await serve_http(ctx, std::move(stream), std::move(buffer), std::move(address),
                        std::move(slot));
    co_return;
  }
  close_on_evict(slot, stream);
  boost::system::error_code ec;
  stream->expires_after(milliseconds(ctx.core.config().network.handshake_timeout_ms));
  bool hello = co_await beast::async_detect_ssl(*stream, buffer,
                                                asio::redirect_error(use_awaitable, ec));
  if (ec) co_return;
  if (!hello) {
    if (tls.required) {
      // A plain request on a TLS-only port gets one plain line saying so, then the close.
      auto res = plain_response(11, false, http::status::bad_request,
                                error_json(http::status::bad_request,
                                           "this port speaks TLS only: use https:// or wss://"),
                                "application/json");
      co_await http::async_write(*stream, res, asio::redirect_error(use_awaitable, ec));
      co_return;
    }
    co_await serve_http(ctx, std::move(stream), std::move(buffer), std::move(address),
                        std::move(slot));
    co_return;
  }
  std::shared_ptr<asio::ssl::context> context = tls.context->current();
  auto secured = std::make_shared<TlsStream>(std::move(*stream), *context);
  stream.reset();
  close_on_evict(slot, secured);
  std::size_t used = co_await secured->async_handshake(
      asio::ssl::stream_base::server, buffer.data(), asio::redirect_error(use_awaitable, ec));
  if (ec) {
    ctx.core.counters().tls_handshakes_failed++;
    co_return;
  }
  buffer.consume(used);
  co_await serve_http(ctx, std::move(secured), std::move(buffer), std::move(address),
                      std::move(slot));
}

}  // namespace

Server::Server(asio::io_context& ioc, NetContext& ctx, Tls tls)
    : ioc_(ioc), ctx_(ctx), tls_(tls), acceptor_(ioc) {}

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
        log_event(LogLevel::warn, LogArea::net, "accept_failed",
                  "accept failed: " + ec.message() + "; retrying with a growing pause",
                  {{"error", ec.message()}});
      backoff = std::min(std::max(backoff * 2, milliseconds(100)), milliseconds(1000));
      pause.expires_after(backoff);
      co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    if (failures > 0) {
      log_event(LogLevel::warn, LogArea::net, "accepting_again",
                "accepting again after " + std::to_string(failures) + " failed accepts",
                {{"failed_accepts", std::to_string(failures)}});
      failures = 0;
      backoff = milliseconds(0);
    }
    auto remote = socket.remote_endpoint(ec);
    std::string address = ec ? "unknown" : remote.address().to_string();
    std::string prefix = ec ? "unknown" : address_prefix(remote.address());
    auto admission = ctx_.limiter.acquire(prefix);
    if (admission.evicted_another) ctx_.core.counters().connections_evicted++;
    if (!admission.slot) {
      ctx_.core.counters().connections_refused++;
      refusals_.note(admission.refusal == ConnectionLimiter::Refusal::prefix_full
                         ? "too many unauthenticated connections from " + prefix
                         : "every slot holds an authenticated peer (max_connections)");
      socket.close(ec);
      continue;
    }
    auto slot = std::move(admission.slot);
    std::string label = ec ? "unknown" : address + ":" + std::to_string(remote.port());
    auto executor = socket.get_executor();
    asio::co_spawn(executor,
                   serve_connection(ctx_, tls_, std::make_shared<beast::tcp_stream>(std::move(socket)),
                                    label, std::move(slot)),
                   asio::detached);
  }
}

}  // namespace ifex
