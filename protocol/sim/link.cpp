#include "protocol/sim/link.hpp"

#include <algorithm>

namespace ifex::sim {

namespace {
// TCP gives up doubling its RTO at about a minute.
constexpr std::uint64_t max_rto_us = 60'000'000;
}  // namespace

void Link::open(std::uint64_t now_us) {
  for (int side : {0, 1}) {
    in_flight[side] = 0;
    tx_free_us[side] = now_us;
    last_arrival_us[side] = now_us;
  }
}

std::uint64_t Link::send(int side, std::size_t bytes, std::uint64_t now_us, double loss,
                         std::uint64_t bandwidth_bytes_per_s, Rng& rng) {
  const std::uint64_t start = std::max(now_us, tx_free_us[side]);
  const std::uint64_t serialise =
      (static_cast<std::uint64_t>(bytes) * 1'000'000 + bandwidth_bytes_per_s - 1) /
      bandwidth_bytes_per_s;
  tx_free_us[side] = start + serialise;
  std::uint64_t arrival = start + serialise + latency_us;
  for (std::uint64_t rto = rto_us; chance(rng, loss); rto = std::min(2 * rto, max_rto_us))
    arrival += rto;
  arrival = std::max(arrival, last_arrival_us[side]);
  last_arrival_us[side] = arrival;
  in_flight[side] += bytes;
  return arrival;
}

}  // namespace ifex::sim
