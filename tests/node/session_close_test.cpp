// The close frame a session writes itself and the reason it may carry (docs/protocol.md,
// "Closing a connection").
#include "node/net/session_close.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace ifex {
namespace {

const std::uint8_t no_mask[4] = {0, 0, 0, 0};

TEST_CASE("a server's close frame is FIN+close, the length, the code big-endian, the reason",
          "[close]") {
  const Bytes frame = encode_close_frame(close_normal, "shutdown", false, no_mask);
  const Bytes want = {0x88, 0x0a, 0x03, 0xe8, 's', 'h', 'u', 't', 'd', 'o', 'w', 'n'};
  CHECK(frame == want);
  // A bare 1008 (a failed handshake): the code alone.
  CHECK(encode_close_frame(close_policy, "", false, no_mask) == Bytes{0x88, 0x02, 0x03, 0xf0});
}

TEST_CASE("a client's close frame is masked as RFC 6455 5.3 says", "[close]") {
  const std::uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
  const Bytes frame = encode_close_frame(close_policy, "over_rate", true, mask);
  REQUIRE(frame.size() == 2 + 4 + 2 + 9);
  CHECK(frame[0] == 0x88);
  CHECK(frame[1] == (0x80 | 11));
  CHECK(Bytes(frame.begin() + 2, frame.begin() + 6) == Bytes(mask, mask + 4));
  Bytes payload(frame.begin() + 6, frame.end());
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] ^= mask[i % 4];
  const std::string text = "over_rate";
  Bytes want = {0x03, 0xf0};
  want.insert(want.end(), text.begin(), text.end());
  CHECK(payload == want);
}

TEST_CASE("a close reason is printable ASCII and at most 64 bytes", "[close]") {
  CHECK(sanitize_close_reason("frame_forged") == "frame_forged");
  CHECK(sanitize_close_reason("a\nb\x01\x7f" "c\xc3\xa9") == "abc");
  CHECK(sanitize_close_reason(std::string(100, 'x')) == std::string(64, 'x'));
  // The frame never carries more than the limit, whatever it is handed.
  const Bytes frame = encode_close_frame(close_policy, std::string(200, 'y'), false, no_mask);
  CHECK(frame.size() == 2 + 2 + max_close_reason_bytes);
  CHECK(frame[1] == 66);
}

}  // namespace
}  // namespace ifex
