// A pinned TLS certificate as an operator writes it (`peer add --tls-fingerprint`).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ifex {

// "AB:CD:..." (openssl x509 -fingerprint -sha256 prints it so), "sha256:abcd..." or bare hex,
// to 64 lowercase hex digits; nullopt when it is not a SHA-256.
std::optional<std::string> normalize_certificate_sha256(std::string_view text);

}  // namespace ifex
