// The part of a remote address one party is likely to control as a whole: a /24 of IPv4, a /64
// of IPv6 (what one subscriber line or one rented server usually gets). Caps on connections
// are keyed on it, so an attacker cannot walk around a per-address cap inside its own block.
#pragma once

#include <string>

#include <boost/asio/ip/address.hpp>

namespace ifex {

// "203.0.113.0/24", "2001:db8:1:2::/64"; an IPv4-mapped IPv6 address counts as IPv4.
std::string address_prefix(const boost::asio::ip::address& address);

}  // namespace ifex
