// Reads one HTTP/1.1 request from a connection with every buffer bounded: the header block, the
// body, and the read buffer itself, which also bounds what Beast's parser keeps while it waits
// for the end of a line (a chunk-size line, the trailer section), lines that Boost 1.81 does not
// bound by header_limit. The header has its own, shorter deadline than the body. Framing that
// RFC 9112 says must be refused is refused here: a Transfer-Encoding other than exactly
// "chunked", or one next to a Content-Length; chunk extensions are refused (no client of ours
// sends them, and each one could be kilobytes per byte of body).
//
// A template over the stream so that the fuzz target runs this exact code over an in-memory
// stream with the node's limits; only node/net and tests include it (Beast stays out of other
// headers).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace ifex {

struct HttpReadLimits {
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 256 * 1024;
  std::chrono::milliseconds header_timeout{5'000};
  std::chrono::milliseconds body_timeout{10'000};
  // The read buffer: the header block plus room for one read. Bodies are moved out of it as
  // they arrive, so this bounds chunk lines and trailers, not the body.
  std::size_t read_buffer_bytes() const { return max_header_bytes + 8 * 1024; }
};

struct HttpReadOutcome {
  enum class Kind { request, refused, closed };
  Kind kind = Kind::closed;
  boost::beast::http::status status = boost::beast::http::status::bad_request;  // when refused
  std::string reason;                                                          // when refused

  static HttpReadOutcome request() { return {Kind::request, {}, {}}; }
  static HttpReadOutcome closed() { return {}; }
  static HttpReadOutcome refused(boost::beast::http::status status, std::string reason) {
    return {Kind::refused, status, std::move(reason)};
  }
};

// What to do with a parse error: answer it (refused) or just close (the peer went away or
// was too slow: there is nobody to answer, or the stream is already closed).
HttpReadOutcome http_read_failure(const boost::system::error_code& ec, bool in_header,
                                  const HttpReadLimits& limits);

// A header the node refuses to frame a body by, or nullopt.
std::optional<HttpReadOutcome> refuse_framing(
    const boost::beast::http::request_parser<boost::beast::http::string_body>& parser);

// `set_deadline(duration)` arms the connection's timer (tcp_stream::expires_after); the buffer
// must have been made with limits.read_buffer_bytes() as its maximum and is kept between
// requests of one connection (pipelining).
template <class Stream, class SetDeadline>
boost::asio::awaitable<HttpReadOutcome> read_http_request(
    Stream& stream, boost::beast::flat_buffer& buffer,
    boost::beast::http::request_parser<boost::beast::http::string_body>& parser,
    const HttpReadLimits& limits, SetDeadline set_deadline) {
  namespace http = boost::beast::http;
  using boost::asio::redirect_error;
  using boost::asio::use_awaitable;
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
  bool extension_seen = false;
  auto on_chunk_header = [&extension_seen](std::uint64_t, boost::core::string_view extensions,
                                           boost::system::error_code& ec) {
    if (!extensions.empty()) {
      extension_seen = true;
      ec = http::error::bad_chunk_extension;
    }
  };
  parser.on_chunk_header(on_chunk_header);

  boost::system::error_code ec;
  set_deadline(limits.header_timeout);
  co_await http::async_read_header(stream, buffer, parser, redirect_error(use_awaitable, ec));
  if (ec) co_return http_read_failure(ec, true, limits);
  if (auto refusal = refuse_framing(parser)) co_return *refusal;
  if (!parser.is_done()) {
    set_deadline(limits.body_timeout);
    co_await http::async_read(stream, buffer, parser, redirect_error(use_awaitable, ec));
    if (extension_seen)
      co_return HttpReadOutcome::refused(http::status::bad_request,
                                         "chunk extensions are not accepted");
    if (ec) co_return http_read_failure(ec, false, limits);
  }
  co_return HttpReadOutcome::request();
}

}  // namespace ifex
