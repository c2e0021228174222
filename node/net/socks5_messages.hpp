// The bytes of a SOCKS5 client (RFC 1928) with username/password authentication (RFC 1929):
// what the node sends and how it reads the proxy's answers. Pure: no I/O, so the exact bytes are
// unit-tested (tests/node/socks5_messages_test.cpp); node/net/socks5_connect.cpp does the I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "keys/bytes.hpp"
#include "keys/result.hpp"

namespace ifex::socks5 {

constexpr std::uint8_t version = 5;
constexpr std::uint8_t method_none = 0x00;
constexpr std::uint8_t method_password = 0x02;
constexpr std::uint8_t method_refused = 0xff;
constexpr std::uint8_t password_version = 1;  // RFC 1929's own version byte
constexpr std::size_t max_field_bytes = 255;  // a host name, a username, a password
// The fixed part of a CONNECT reply: VER REP RSV ATYP. The bound address follows.
constexpr std::size_t reply_head_bytes = 4;

// VER NMETHODS METHODS: "no authentication", and username/password too when offered (Tor's
// stream isolation keys on the credentials; a proxy that wants none may still pick none).
Bytes greeting(bool offer_password);

// VER ULEN UNAME PLEN PASSWD. REQUIRES: both at most max_field_bytes (checked by the caller).
Bytes password_request(std::string_view username, std::string_view password);

// VER CMD=CONNECT RSV ATYP DST.ADDR DST.PORT: an IPv4 or IPv6 literal as ATYP 1 or 4, anything
// else as a name (ATYP 3) that the proxy resolves, so the node never looks it up itself.
// Fails for a name longer than 255 bytes.
Result<Bytes> connect_request(std::string_view host, std::uint16_t port);

// How many bytes of bound address and port follow a reply's fixed part with this ATYP byte
// (for a name: the length byte read so far, `name_length`); nullopt for an unknown type.
std::optional<std::size_t> bound_address_bytes(std::uint8_t atyp, std::uint8_t name_length);

// A CONNECT reply code in words an operator can act on, with the number:
// "the proxy could not reach the host (SOCKS5 reply 4: host unreachable)".
std::string reply_text(std::uint8_t code);

}  // namespace ifex::socks5
