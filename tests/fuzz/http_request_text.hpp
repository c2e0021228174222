// The HTTP target's input: a request written like HTTP/1.1 so seeds are readable and the fuzzer
// mutates something request-shaped:
//   METHOD SP TARGET LF
//   Name: value LF        (Host, Authorization, If-None-Match, Content-Type; others ignored)
//   LF
//   body
// Beast parses the real wire format in node/net/server.cpp; this is only the plain HttpRequest
// the API receives from it, so any byte string is accepted.
#pragma once

#include <cctype>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "node/codec/http_message.hpp"

namespace ifex::fuzz {

inline bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

inline HttpRequest parse_request_text(std::string_view text) {
  HttpRequest r;
  auto next_line = [&text]() {
    auto lf = text.find('\n');
    std::string_view line = text.substr(0, lf);
    text = lf == std::string_view::npos ? std::string_view{} : text.substr(lf + 1);
    return line;
  };
  std::string_view first = next_line();
  auto space = first.find(' ');
  r.method = std::string(first.substr(0, space));
  if (space != std::string_view::npos) r.target = std::string(first.substr(space + 1));
  while (!text.empty()) {
    std::string_view line = next_line();
    if (line.empty()) break;
    auto colon = line.find(':');
    std::string_view name = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
    if (value.starts_with(' ')) value.remove_prefix(1);
    if (same_name(name, "Host")) r.host = value;
    else if (same_name(name, "Authorization")) r.authorization = value;
    else if (same_name(name, "If-None-Match")) r.if_none_match = value;
    else if (same_name(name, "Content-Type")) r.content_type = value;
  }
  r.body = std::string(text);
  return r;
}

inline std::string request_text(std::string_view method, std::string_view target,
                                const std::vector<std::pair<std::string, std::string>>& headers = {},
                                std::string_view body = {}) {
  std::string out = std::string(method) + " " + std::string(target) + "\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\n";
  out += "\n";
  out += body;
  return out;
}

}  // namespace ifex::fuzz
