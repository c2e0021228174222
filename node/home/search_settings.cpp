#include "node/home/search_settings.hpp"

#include <charconv>

namespace ifex {

namespace {

constexpr std::uint32_t max_shards = 1024;

template <class T>
bool parse_number(std::string_view text, T& out) {
  if (text.empty() || text.size() > 10) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

Result<ShardSpec> parse_shard_spec(std::string_view text) {
  if (text.empty()) return ShardSpec{};
  auto refuse = [&] {
    return make_error("bad_shard", "search shard '" + std::string(text) +
                                       "': expected I/N, e.g. \"1/2\" (part I of N, 1 <= I <= N <= " +
                                       std::to_string(max_shards) + ")");
  };
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return refuse();
  ShardSpec spec;
  if (!parse_number(text.substr(0, slash), spec.number) ||
      !parse_number(text.substr(slash + 1), spec.count))
    return refuse();
  if (spec.count < 1 || spec.count > max_shards || spec.number < 1 || spec.number > spec.count)
    return refuse();
  return spec;
}

Result<ShardAddress> parse_shard_address(std::string_view text) {
  auto refuse = [&](const std::string& why) {
    return make_error("bad_shard_address",
                      "search shard address '" + std::string(text) + "': " + why +
                          " (expected tcp://HOST:PORT, with [ADDRESS] for IPv6)");
  };
  constexpr std::string_view scheme = "tcp://";
  if (!text.starts_with(scheme)) return refuse("it must start with tcp://");
  std::string_view rest = text.substr(scheme.size());
  ShardAddress out;
  std::string_view port;
  if (rest.starts_with('[')) {
    auto close = rest.find(']');
    if (close == std::string_view::npos || rest.substr(close + 1, 1) != ":")
      return refuse("an IPv6 address must be written [ADDRESS]:PORT");
    out.host = std::string(rest.substr(1, close - 1));
    port = rest.substr(close + 2);
  } else {
    auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return refuse("the port is missing");
    out.host = std::string(rest.substr(0, colon));
    port = rest.substr(colon + 1);
    if (out.host.find(':') != std::string::npos)
      return refuse("an IPv6 address must be written [ADDRESS]:PORT");
  }
  if (out.host.empty()) return refuse("the host is missing");
  if (out.host.find_first_of("/?#@ \t") != std::string::npos)
    return refuse("the host has a character a host name cannot have");
  if (!parse_number(port, out.port) || out.port == 0) return refuse("the port must be 1 to 65535");
  return out;
}

Result<std::vector<ShardAddress>> parse_shard_addresses(const std::vector<std::string>& texts) {
  std::vector<ShardAddress> out;
  for (const auto& t : texts) {
    auto parsed = parse_shard_address(t);
    if (!parsed) return parsed.error();
    out.push_back(std::move(*parsed));
  }
  return out;
}

}  // namespace ifex
