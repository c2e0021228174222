// The server's memory of recent hellos (node/net/replay_guard.hpp): repeats within the window are
// caught, older ones and the overflow beyond the cap are forgotten oldest first.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "node/net/replay_guard.hpp"

using namespace ifex;

namespace {

EphemeralPublic ea(std::uint32_t n) {
  EphemeralPublic key{};
  for (std::size_t i = 0; i < 4; ++i) key[i] = static_cast<std::uint8_t>(n >> (8 * i));
  key[31] = 0x42;
  return key;
}

}  // namespace

TEST_CASE("a key is new once, then a repeat for the whole window", "[replay_guard]") {
  ReplayGuard guard(10'000);
  REQUIRE(guard.first_sighting(ea(1), 1'000));
  CHECK_FALSE(guard.first_sighting(ea(1), 1'000));
  CHECK_FALSE(guard.first_sighting(ea(1), 10'999));  // 9,999 ms later: still inside
  CHECK(guard.first_sighting(ea(2), 5'000));         // other keys are their own
  CHECK_FALSE(guard.first_sighting(ea(2), 5'001));
  CHECK(guard.size() == 2);
}

TEST_CASE("a key is forgotten once the window has passed", "[replay_guard]") {
  ReplayGuard guard(10'000);
  REQUIRE(guard.first_sighting(ea(1), 1'000));
  REQUIRE(guard.first_sighting(ea(2), 6'000));
  // At 11,000 the first sighting is 10 s old: forgotten, so the same key is new again (the
  // documented limit: a hello replayed after the window is answered).
  CHECK(guard.first_sighting(ea(1), 11'000));
  CHECK_FALSE(guard.first_sighting(ea(2), 11'000));
  CHECK(guard.size() == 2);
  // Nothing is kept once everything is older than the window.
  CHECK(guard.first_sighting(ea(3), 100'000));
  CHECK(guard.size() == 1);
}

TEST_CASE("the guard keeps at most its capacity, forgetting the oldest first", "[replay_guard]") {
  ReplayGuard guard(60'000, 1'000);
  for (std::uint32_t i = 0; i < 1'500; ++i) REQUIRE(guard.first_sighting(ea(i), 1'000 + i));
  CHECK(guard.size() == 1'000);
  // The newest 1,000 (500..1499) are remembered, the 500 oldest were dropped to make room.
  for (std::uint32_t i = 500; i < 1'500; ++i) {
    INFO("key " << i);
    REQUIRE_FALSE(guard.first_sighting(ea(i), 3'000));
  }
  for (std::uint32_t i = 0; i < 10; ++i) CHECK(guard.first_sighting(ea(i), 3'000));
  CHECK(guard.size() == 1'000);
}

TEST_CASE("the default capacity holds 65,536 keys", "[replay_guard]") {
  ReplayGuard guard(60'000);
  for (std::uint32_t i = 0; i < 70'000; ++i) REQUIRE(guard.first_sighting(ea(i), 1'000));
  CHECK(guard.size() == ReplayGuard::default_capacity);
  CHECK_FALSE(guard.first_sighting(ea(69'999), 1'000));
  CHECK_FALSE(guard.first_sighting(ea(70'000 - 65'536), 1'000));
  CHECK(guard.first_sighting(ea(70'000 - 65'536 - 1), 1'000));
}

TEST_CASE("a clock read out of order by two threads does not break expiry", "[replay_guard]") {
  ReplayGuard guard(10'000);
  REQUIRE(guard.first_sighting(ea(1), 5'000));
  REQUIRE(guard.first_sighting(ea(2), 4'990));  // a session that read the clock earlier
  CHECK_FALSE(guard.first_sighting(ea(2), 14'000));
  CHECK(guard.first_sighting(ea(1), 15'000));
}

TEST_CASE("sessions on several threads see each key new exactly once", "[replay_guard]") {
  ReplayGuard guard(60'000);
  std::atomic<int> firsts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (std::uint32_t i = 0; i < 5'000; ++i)
        if (guard.first_sighting(ea(i), 1'000)) ++firsts;
    });
  for (auto& t : threads) t.join();
  CHECK(firsts == 5'000);
}

TEST_CASE("the set's hash is keyed: another key, other buckets", "[replay_guard]") {
  const std::uint8_t k1[16] = {1};
  const std::uint8_t k2[16] = {2};
  EphemeralHasher a({k1, 16}), a_again({k1, 16}), b({k2, 16});
  std::size_t differ = 0;
  for (std::uint32_t i = 0; i < 64; ++i) {
    REQUIRE(a(ea(i)) == a_again(ea(i)));
    if (a(ea(i)) != b(ea(i))) ++differ;
  }
  CHECK(differ == 64);
  // Two guards draw their own keys.
  EphemeralHasher r1, r2;
  CHECK(r1(ea(7)) != r2(ea(7)));
}
