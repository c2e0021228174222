#include "node/net/http_request_reader.hpp"

#include <algorithm>
#include <cctype>

namespace ifex {

namespace http = boost::beast::http;

namespace {

std::string lower_trimmed(std::string_view text) {
  auto space = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

HttpReadOutcome http_read_failure(const boost::system::error_code& ec, bool in_header,
                                  const HttpReadLimits& limits) {
  if (ec == http::error::body_limit)
    return HttpReadOutcome::refused(http::status::payload_too_large,
                                    "the request body is larger than " +
                                        std::to_string(limits.max_body_bytes) + " bytes");
  if (ec == http::error::header_limit || (in_header && ec == http::error::buffer_overflow))
    return HttpReadOutcome::refused(http::status::request_header_fields_too_large,
                                    in_header ? "the request headers are larger than " +
                                                    std::to_string(limits.max_header_bytes) + " bytes"
                                              : "the request's trailer section is too large");
  if (ec == http::error::buffer_overflow)
    return HttpReadOutcome::refused(http::status::bad_request,
                                    "a chunk-size line or the trailer section is longer than " +
                                        std::to_string(limits.read_buffer_bytes()) + " bytes");
  if (ec == http::error::end_of_stream || ec == http::error::partial_message)
    return HttpReadOutcome::closed();
  if (ec.category() == http::make_error_code(http::error::bad_method).category())
    return HttpReadOutcome::refused(http::status::bad_request,
                                    "a malformed HTTP request: " + ec.message());
  return HttpReadOutcome::closed();  // closed, reset or timed out: nobody to answer
}

std::optional<HttpReadOutcome> refuse_framing(
    const http::request_parser<http::string_body>& parser) {
  const auto& header = parser.get();
  auto te = header.find(http::field::transfer_encoding);
  if (te == header.end()) return std::nullopt;
  // RFC 9112 6.1 and 6.3: a request whose body length cannot be told exactly must get a 400
  // and the connection closed, or the rest would be read as another request (smuggling).
  bool twice = std::count_if(header.begin(), header.end(), [](const auto& field) {
                 return field.name() == http::field::transfer_encoding;
               }) > 1;
  if (twice || lower_trimmed(te->value()) != "chunked")
    return HttpReadOutcome::refused(http::status::bad_request,
                                    "Transfer-Encoding must be exactly 'chunked'");
  if (header.find(http::field::content_length) != header.end())
    return HttpReadOutcome::refused(http::status::bad_request,
                                    "a request may not have both Transfer-Encoding and Content-Length");
  if (header.version() < 11)
    return HttpReadOutcome::refused(http::status::bad_request,
                                    "chunked requests need HTTP/1.1");
  return std::nullopt;
}

}  // namespace ifex
