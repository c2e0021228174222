// The per-peer inbound token bucket: what the gossip reader pauses for.
#include "node/net/inbound_rate.hpp"

#include <catch2/catch.hpp>

namespace ifex {
namespace {

using std::chrono::milliseconds;

TEST_CASE("a peer within its burst is read without pause", "[rate]") {
  const auto t0 = InboundRate::Clock::now();
  InboundRate rate(1000, 4000, t0);
  CHECK(rate.take(1000, t0).count() == 0);
  CHECK(rate.take(3000, t0).count() == 0);  // the bucket is now empty, not below
}

TEST_CASE("a peer over its burst waits for the bytes it took beyond it", "[rate]") {
  const auto t0 = InboundRate::Clock::now();
  InboundRate rate(1000, 4000, t0);
  CHECK(rate.take(4000, t0).count() == 0);
  // 500 bytes over at 1000 bytes/s: half a second (rounded up by a millisecond).
  const milliseconds wait = rate.take(500, t0);
  CHECK(wait >= milliseconds(500));
  CHECK(wait <= milliseconds(501));
  // After exactly that wait the bucket is back at zero: the next frame waits its own time only.
  const milliseconds next = rate.take(1000, t0 + milliseconds(500));
  CHECK(next >= milliseconds(1000));
  CHECK(next <= milliseconds(1001));
}

TEST_CASE("a quiet peer earns its burst back, never more", "[rate]") {
  const auto t0 = InboundRate::Clock::now();
  InboundRate rate(1000, 4000, t0);
  CHECK(rate.take(4000, t0).count() == 0);
  const auto later = t0 + std::chrono::seconds(60);  // 60,000 bytes' worth, capped at 4,000
  CHECK(rate.take(4000, later).count() == 0);
  CHECK(rate.take(1000, later) >= milliseconds(1000));
}

TEST_CASE("a flood at ten times the rate is held to the rate", "[rate]") {
  const auto t0 = InboundRate::Clock::now();
  InboundRate rate(10'000, 20'000, t0);
  // The reader honours each pause; the sender always has the next 10,000-byte frame ready.
  auto now = t0;
  std::uint64_t read = 0;
  while (now - t0 < std::chrono::seconds(10)) {
    now += rate.take(10'000, now);
    read += 10'000;
  }
  // 10 s at 10,000 bytes/s plus the initial burst, give or take one frame.
  CHECK(read >= 100'000 + 20'000 - 10'000);
  CHECK(read <= 100'000 + 20'000 + 10'000);
}

}  // namespace
}  // namespace ifex
