#include "node/net/address_prefix.hpp"

namespace ifex {

std::string address_prefix(const boost::asio::ip::address& address) {
  namespace ip = boost::asio::ip;
  auto v4_prefix = [](ip::address_v4 v4) {
    auto bytes = v4.to_bytes();
    bytes[3] = 0;
    return ip::address_v4(bytes).to_string() + "/24";
  };
  if (address.is_v4()) return v4_prefix(address.to_v4());
  ip::address_v6 v6 = address.to_v6();
  if (v6.is_v4_mapped()) return v4_prefix(ip::make_address_v4(ip::v4_mapped, v6));
  auto bytes = v6.to_bytes();
  for (std::size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;
  return ip::address_v6(bytes).to_string() + "/64";
}

}  // namespace ifex
