// The limiter that keeps one connection warning per cause and subject a minute.
#include <catch2/catch.hpp>

#include <string>

#include "node/net/connection_problems.hpp"

using namespace ifex;

TEST_CASE("the first report passes, repeats within the interval are held and then counted",
          "[warn_limiter]") {
  WarnLimiter limiter(60'000, 16);
  const auto p = ConnectionProblem::network_key;
  REQUIRE(limiter.allow(p, "a", 1'000) == std::optional<std::uint64_t>(0));
  for (int i = 0; i < 5; ++i) REQUIRE_FALSE(limiter.allow(p, "a", 2'000 + i));
  // Another subject and another cause are separate.
  REQUIRE(limiter.allow(p, "b", 2'000) == std::optional<std::uint64_t>(0));
  REQUIRE(limiter.allow(ConnectionProblem::not_welcome, "a", 2'000) ==
          std::optional<std::uint64_t>(0));
  REQUIRE_FALSE(limiter.allow(p, "a", 60'999));
  REQUIRE(limiter.allow(p, "a", 61'000) == std::optional<std::uint64_t>(6));
  REQUIRE_FALSE(limiter.allow(p, "a", 61'001));
}

TEST_CASE("the limiter remembers a bounded number of subjects", "[warn_limiter]") {
  WarnLimiter limiter(60'000, 4);
  const auto p = ConnectionProblem::other;
  for (int i = 0; i < 100; ++i)
    REQUIRE(limiter.allow(p, "subject " + std::to_string(i), 1'000 + i).has_value());
  // The newest are still remembered (held back), the oldest were forgotten (let through again).
  REQUIRE_FALSE(limiter.allow(p, "subject 99", 2'000));
  REQUIRE(limiter.allow(p, "subject 0", 2'000).has_value());
}
