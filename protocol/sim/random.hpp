// Draws for the simulator, all from one seeded std::mt19937_64. The engine's output is fixed by
// the standard, but std::uniform_int_distribution and friends are not: another standard library
// would turn the same seed into another run. These few helpers are exact and portable.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <utility>
#include <vector>

namespace ifex::sim {

using Rng = std::mt19937_64;

// Uniform in [lo, hi]. REQUIRES: lo <= hi.
inline std::uint64_t uniform(Rng& rng, std::uint64_t lo, std::uint64_t hi) {
  constexpr std::uint64_t top = std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t span = hi - lo;
  if (span == top) return rng();
  const std::uint64_t n = span + 1;
  // Draws from the incomplete last bucket are redrawn, so every value is equally likely.
  const std::uint64_t limit = top - top % n;
  for (;;) {
    const std::uint64_t x = rng();
    if (x < limit) return lo + x % n;
  }
}

// Uniform in [0, 1), with 53 random bits.
inline double unit(Rng& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

inline bool chance(Rng& rng, double p) {
  return p > 0 && unit(rng) < p;
}

// Exponentially distributed with the given mean (gaps of a Poisson process).
inline double exponential(Rng& rng, double mean) {
  return -mean * std::log1p(-unit(rng));
}

template <class T>
void shuffle(Rng& rng, std::vector<T>& v) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[uniform(rng, 0, i - 1)]);
}

}  // namespace ifex::sim
