// The address of a SOCKS5 proxy as the operator writes it ([network] socks5_proxy, `peer add
// --socks5`): IP:PORT, IPv6 in brackets. Only an address literal: resolving the proxy's own name
// would tell the local resolver that the node uses a proxy, and which.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "keys/result.hpp"

namespace ifex {

struct ProxyAddress {
  std::string ip;  // without brackets
  std::uint16_t port = 0;
};

Result<ProxyAddress> parse_proxy_address(std::string_view text);

}  // namespace ifex
