// Raw bytes through the node's own HTTP request reader (node/net/http_request_reader.hpp), the
// code serve_connection runs, with small real limits: Beast's parser, the bounded read buffer,
// the framing rules. The bytes arrive over an in-memory stream in reads of varying size (the first
// byte picks it), then the peer closes. Requests are read one after another
// as on a kept-alive connection until one is refused or the stream ends.
// Properties: the read buffer never holds more than its bound, no body exceeds its limit, a
// refusal is a 4xx with a reason, a completed request is framed one way only, and a
// Transfer-Encoding other than exactly "chunked" never yields a request.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>

#include "fuzz_check.hpp"
#include "node/net/http_request_reader.hpp"

namespace ifex {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

HttpReadLimits fuzz_limits() {
  HttpReadLimits limits;
  limits.max_header_bytes = 1024;
  limits.max_body_bytes = 4096;
  return limits;
}

std::string lower_trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

asio::awaitable<void> read_all(beast::test::stream& stream, const HttpReadLimits& limits,
                               std::size_t input_size) {
  beast::flat_buffer buffer(limits.read_buffer_bytes());
  std::size_t requests = 0;
  for (;;) {
    http::request_parser<http::string_body> parser;
    HttpReadOutcome read = co_await read_http_request(stream, buffer, parser, limits,
                                                      [](std::chrono::milliseconds) {});
    FUZZ_CHECK(buffer.size() <= limits.read_buffer_bytes());
    if (read.kind == HttpReadOutcome::Kind::closed) co_return;
    if (read.kind == HttpReadOutcome::Kind::refused) {
      int status = static_cast<int>(read.status);
      FUZZ_CHECK(status >= 400 && status < 500);
      FUZZ_CHECK(!read.reason.empty());
      co_return;
    }
    const auto& request = parser.get();
    FUZZ_CHECK(request.body().size() <= limits.max_body_bytes);
    auto te = request.find(http::field::transfer_encoding);
    if (te != request.end()) {
      FUZZ_CHECK(lower_trimmed(te->value()) == "chunked");
      FUZZ_CHECK(parser.chunked());
      FUZZ_CHECK(request.find(http::field::content_length) == request.end());
    }
    // Every request takes at least "GET / HTTP/1.1\r\n\r\n" of input; more would mean the
    // reader made requests up.
    FUZZ_CHECK(++requests * 18 <= input_size);
  }
}

}  // namespace
}  // namespace ifex

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ifex;
  if (size == 0) return 0;
  const std::size_t piece = 1 + data[0] % 97;
  ++data;
  --size;
  asio::io_context ioc;
  beast::test::stream server(ioc);
  const HttpReadLimits limits = fuzz_limits();
  server.read_size(piece);  // each read returns at most this much, like a slow network
  server.append({reinterpret_cast<const char*>(data), size});
  server.close_remote();
  asio::co_spawn(ioc, read_all(server, limits, size), asio::detached);
  ioc.run();
  return 0;
}
