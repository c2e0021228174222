#include "node/net/socks5_connect.hpp"

#include <array>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "node/net/socks5_messages.hpp"

namespace ifex {

namespace asio = boost::asio;

namespace {

Error proxy_error(std::string message) {
  return make_error("socks5_failed", std::move(message));
}

// The transport's failure while talking to the proxy, named by the step it happened in.
Error transport_error(const char* step, const boost::system::error_code& ec) {
  if (ec == asio::error::eof)
    return proxy_error(std::string("the SOCKS5 proxy closed the connection during ") + step);
  if (ec == boost::beast::error::timeout)
    return proxy_error(std::string("the SOCKS5 proxy did not answer in time (") + step + ")");
  return proxy_error(std::string("SOCKS5 ") + step + ": " + ec.message());
}

using Buffer = std::array<std::uint8_t, 2 + socks5::max_field_bytes>;

asio::awaitable<void> send(boost::beast::tcp_stream& stream, const Bytes& bytes,
                           boost::system::error_code& ec) {
  co_await asio::async_write(stream, asio::buffer(bytes),
                             asio::redirect_error(asio::use_awaitable, ec));
}

// Exactly n bytes into `in` (n <= in.size(), as every caller's sizes are).
asio::awaitable<void> receive(boost::beast::tcp_stream& stream, Buffer& in, std::size_t n,
                              boost::system::error_code& ec) {
  co_await asio::async_read(stream, asio::buffer(in.data(), n),
                            asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace

asio::awaitable<Status> socks5_connect(boost::beast::tcp_stream& stream, std::string host,
                                       std::uint16_t port, Socks5Credentials credentials,
                                       std::chrono::milliseconds timeout) {
  const bool offer_password = !credentials.username.empty();
  if (credentials.username.size() > socks5::max_field_bytes ||
      credentials.password.size() > socks5::max_field_bytes)
    co_return proxy_error("SOCKS5 credentials are at most 255 bytes each");
  auto request = socks5::connect_request(host, port);
  if (!request) co_return request.error();

  boost::system::error_code ec;
  stream.expires_after(timeout);
  Buffer in{};

  const Bytes hello = socks5::greeting(offer_password);
  co_await send(stream, hello, ec);
  if (!ec) co_await receive(stream, in, 2, ec);
  if (ec) co_return transport_error("the method negotiation", ec);
  if (in[0] != socks5::version)
    co_return proxy_error("the proxy does not speak SOCKS5 (its answer starts with byte " +
                          std::to_string(in[0]) + ")");
  const std::uint8_t method = in[1];
  if (method == socks5::method_refused)
    co_return proxy_error(offer_password
                              ? "the SOCKS5 proxy accepts neither no authentication nor a "
                                "username and password"
                              : "the SOCKS5 proxy wants authentication (set [network] "
                                "socks5_isolate = true to send a username and password)");
  if (method == socks5::method_password && offer_password) {
    const Bytes login = socks5::password_request(credentials.username, credentials.password);
    co_await send(stream, login, ec);
    if (!ec) co_await receive(stream, in, 2, ec);
    if (ec) co_return transport_error("the username/password step", ec);
    if (in[1] != 0)
      co_return proxy_error("the SOCKS5 proxy refused the username and password (status " +
                            std::to_string(in[1]) + ")");
  } else if (method != socks5::method_none) {
    co_return proxy_error("the SOCKS5 proxy chose method " + std::to_string(method) +
                          ", which was not offered");
  }

  co_await send(stream, *request, ec);
  if (!ec) co_await receive(stream, in, socks5::reply_head_bytes, ec);
  if (ec) co_return transport_error("CONNECT", ec);
  if (in[0] != socks5::version)
    co_return proxy_error("the SOCKS5 proxy's reply to CONNECT is malformed");
  if (in[1] != 0) co_return proxy_error(socks5::reply_text(in[1]));
  // The address the proxy bound: read (to leave the stream at the peer's first byte) and drop.
  const std::uint8_t atyp = in[3];
  std::uint8_t name_length = 0;
  if (atyp == 3) {
    co_await receive(stream, in, 1, ec);
    if (ec) co_return transport_error("CONNECT", ec);
    name_length = in[0];
  }
  auto rest = socks5::bound_address_bytes(atyp, name_length);
  if (!rest)
    co_return proxy_error("the SOCKS5 proxy's reply names an unknown address type " +
                          std::to_string(atyp));
  co_await receive(stream, in, *rest, ec);
  if (ec) co_return transport_error("CONNECT", ec);
  co_return Status::success();
}

}  // namespace ifex
