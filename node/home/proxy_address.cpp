#include "node/home/proxy_address.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace ifex {

Result<ProxyAddress> parse_proxy_address(std::string_view text) {
  auto bad = [&] {
    return make_error("bad_proxy", "'" + std::string(text) +
                                       "': expected IP:PORT of a SOCKS5 proxy, e.g. "
                                       "127.0.0.1:9050 or [::1]:9050 (an address, not a name)");
  };
  std::string_view host;
  std::string_view port;
  bool v6 = !text.empty() && text.front() == '[';
  if (v6) {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return bad();
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad();
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  std::string ip(host);
  unsigned char scratch[16];
  if (inet_pton(v6 ? AF_INET6 : AF_INET, ip.c_str(), scratch) != 1) return bad();
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
    return bad();
  return ProxyAddress{std::move(ip), static_cast<std::uint16_t>(value)};
}

}  // namespace ifex
