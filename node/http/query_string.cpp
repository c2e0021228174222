#include "node/http/query_string.hpp"

#include "keys/bytes.hpp"
#include "protocol/utf8.hpp"

namespace ifex {

namespace {

Result<std::string> decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size() || hex_value(in[i + 1]) < 0 || hex_value(in[i + 2]) < 0)
        return make_error("bad_request", "a malformed %-escape in the URL");
      out.push_back(static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  if (!is_valid_utf8(out)) return make_error("bad_request", "the URL is not valid UTF-8");
  return out;
}

}  // namespace

Result<ParsedTarget> parse_target(std::string_view target, std::size_t max_params) {
  ParsedTarget out;
  auto q = target.find('?');
  auto path = decode(target.substr(0, q), false);
  if (!path) return path.error();
  out.path = std::move(*path);
  if (q == std::string_view::npos) return out;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    auto name = decode(pair.substr(0, eq), true);
    if (!name) return name.error();
    auto value = decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (!value) return value.error();
    if (out.params.size() == max_params)
      return make_error("bad_request", "too many query parameters (at most " +
                                           std::to_string(max_params) + ")");
    if (!out.params.emplace(std::move(*name), std::move(*value)).second)
      return make_error("bad_request", "a query parameter is given twice");
  }
  return out;
}

}  // namespace ifex
