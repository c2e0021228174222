// The federation's payload decoders (issue 13): `roster` entry payloads (genesis, proposal,
// approval) and invitations. The first input byte picks the decoder: even, the roster payload;
// odd, the invitation text. An accepted input must re-encode to what it decoded from (one
// encoding per value), and a genesis that decodes must be usable by the roster rule.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "keys/identity.hpp"
#include "protocol/federation_roster.hpp"
#include "protocol/invitation.hpp"
#include "protocol/roster_change.hpp"

namespace ifex {
namespace {

void check_roster(ByteView payload) {
  auto change = decode_roster_change(payload);
  if (!change) {
    FUZZ_CHECK(!change.error().code.empty() && !change.error().message.empty());
    return;
  }
  Bytes again = encode_roster_change(*change);
  FUZZ_CHECK(again == Bytes(payload.begin(), payload.end()));
  FUZZ_CHECK(validate_roster_change(*change));
}

void check_invitation(std::string_view text) {
  auto inv = decode_invitation(text);
  if (!inv) {
    FUZZ_CHECK(!inv.error().code.empty() && !inv.error().message.empty());
    return;
  }
  auto again = decode_invitation(encode_invitation(*inv));
  FUZZ_CHECK(again && *again == *inv);
  FUZZ_CHECK(!inv->peers.empty() && inv->peers.size() <= max_invitation_peers);
}

}  // namespace
}  // namespace ifex

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  if (data[0] % 2 == 0)
    ifex::check_roster(ifex::ByteView(data + 1, size - 1));
  else
    ifex::check_invitation(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  return 0;
}
