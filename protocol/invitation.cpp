#include "protocol/invitation.hpp"

#include <cctype>

#include "keys/key_text.hpp"
#include "protocol/canonical.hpp"
#include "protocol/utf8.hpp"

namespace ifex {

std::string encode_invitation(const Invitation& inv) {
  CanonicalWriter w;
  w.u8(invitation_format);
  w.fixed(inv.network_key.view());
  w.fixed(inv.genesis.view());
  w.fixed(inv.founder.view());
  w.u64(inv.peers.size());
  for (const auto& p : inv.peers) {
    w.fixed(p.key.view());
    w.text(p.url);
  }
  return encode_typed_key(invitation_prefix, w.finish());
}

Result<Invitation> decode_invitation(std::string_view text) {
  // The body's length follows from the number of base32 digits; decode_typed_key then checks
  // that the count is one an encoder makes, the alphabet and the checksum.
  std::string_view trimmed = text;
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front())))
    trimmed.remove_prefix(1);
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back())))
    trimmed.remove_suffix(1);
  const std::size_t digits =
      trimmed.size() > invitation_prefix.size() ? trimmed.size() - invitation_prefix.size() : 0;
  const std::size_t body_len = digits * 5 / 8;
  if (body_len <= typed_key_checksum_size)
    return make_error("wrong_length", "an ifex invitation is longer than this");
  auto raw = decode_typed_key(invitation_prefix, trimmed, body_len - typed_key_checksum_size,
                              "invitation");
  if (!raw) return raw.error();
  auto decoded = decode_guarded<Invitation>([&]() -> Result<Invitation> {
    CanonicalReader r(*raw);
    if (r.u8() != invitation_format)
      CanonicalReader::fail("bad_invitation", "an invitation of an unknown format");
    Invitation inv;
    inv.network_key = r.fixed<NetworkKey>();
    inv.genesis = r.fixed<Hash>();
    inv.founder = r.fixed<PublicKey>();
    const std::uint64_t n = r.count(max_invitation_peers, "bootstrap peers");
    if (n == 0) CanonicalReader::fail("bad_invitation", "an invitation names no peer to dial");
    for (std::uint64_t i = 0; i < n; ++i) {
      BootstrapPeer p;
      p.key = r.fixed<PublicKey>();
      p.url = r.text(max_invitation_url_bytes, "peer URL");
      if (!is_valid_utf8(p.url)) CanonicalReader::fail("bad_invitation", "a peer URL is not UTF-8");
      inv.peers.push_back(std::move(p));
    }
    r.expect_end("invitation");
    return inv;
  });
  return decoded;
}

}  // namespace ifex
