// The bytes of the SOCKS5 client (RFC 1928) and its username/password step (RFC 1929), and the
// words a refused CONNECT is reported in. danted checks the exchange end to end
// (tests/net/socks5_test.py); the credentials step, which danted checks against system users,
// is pinned here byte for byte.
#include "node/net/socks5_messages.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace ifex {
namespace {

TEST_CASE("the greeting offers no authentication, and username/password when isolating",
          "[socks5]") {
  CHECK(socks5::greeting(false) == Bytes{0x05, 0x01, 0x00});
  CHECK(socks5::greeting(true) == Bytes{0x05, 0x02, 0x00, 0x02});
}

TEST_CASE("the RFC 1929 request is version 1, then each field with its length", "[socks5]") {
  CHECK(socks5::password_request("ab", "xyz") == Bytes{0x01, 0x02, 'a', 'b', 0x03, 'x', 'y', 'z'});
  const std::string longest(255, 'u');
  const Bytes request = socks5::password_request(longest, "p");
  REQUIRE(request.size() == 1 + 1 + 255 + 1 + 1);
  CHECK(request[1] == 255);
  CHECK(request[257] == 1);
}

TEST_CASE("CONNECT sends names as names and addresses as addresses", "[socks5]") {
  auto name = socks5::connect_request("peer.example.onion", 80);
  REQUIRE(name.ok());
  Bytes want{0x05, 0x01, 0x00, 0x03, 18};
  for (char c : std::string("peer.example.onion")) want.push_back(static_cast<std::uint8_t>(c));
  want.push_back(0x00);
  want.push_back(0x50);
  CHECK(*name == want);

  auto v4 = socks5::connect_request("127.0.0.1", 7400);
  REQUIRE(v4.ok());
  CHECK(*v4 == Bytes{0x05, 0x01, 0x00, 0x01, 127, 0, 0, 1, 0x1c, 0xe8});

  auto v6 = socks5::connect_request("::1", 443);
  REQUIRE(v6.ok());
  REQUIRE(v6->size() == 4 + 16 + 2);
  CHECK((*v6)[3] == 0x04);
  CHECK((*v6)[19] == 1);
  CHECK((*v6)[20] == 0x01);
  CHECK((*v6)[21] == 0xbb);

  CHECK_FALSE(socks5::connect_request(std::string(256, 'h'), 80).ok());
  CHECK_FALSE(socks5::connect_request("", 80).ok());
}

TEST_CASE("a reply's bound address has a size known from its type", "[socks5]") {
  CHECK(socks5::bound_address_bytes(1, 0) == 6u);
  CHECK(socks5::bound_address_bytes(4, 0) == 18u);
  CHECK(socks5::bound_address_bytes(3, 200) == 202u);
  CHECK_FALSE(socks5::bound_address_bytes(2, 0).has_value());
}

TEST_CASE("a refused CONNECT says what happened, in words and by number", "[socks5]") {
  CHECK(socks5::reply_text(4) ==
        "the proxy could not reach the host (SOCKS5 reply 4: host unreachable)");
  CHECK(socks5::reply_text(2).find("SOCKS5 reply 2: not allowed by ruleset") != std::string::npos);
  CHECK(socks5::reply_text(0xf0).find("SOCKS5 reply 240") != std::string::npos);
  CHECK(socks5::reply_text(0x42).find("SOCKS5 reply 66: an unassigned code") != std::string::npos);
}

}  // namespace
}  // namespace ifex
