// One simulated connection between two nodes, as a pair of TCP byte streams: each direction
// serialises its messages at the link's bandwidth, delivers them after the link's latency and
// strictly in order. Loss is not a dropped message (the gossip runs over TCP/WebSocket, which
// retransmits) but a retransmission: the message arrives one RTO later (doubling if the
// retransmission is lost too), and everything sent behind it on that direction waits for it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "protocol/sim/random.hpp"

namespace ifex::sim {

struct Link {
  std::uint32_t end[2] = {0, 0};
  std::uint64_t latency_us = 0;  // one way
  std::uint64_t rto_us = 0;
  std::uint64_t dial_at_ms = 0;

  bool connected = false;
  std::uint32_t generation = 0;               // of the current or last connection
  std::uint32_t attempt = 0;                  // of the current or last dial or redial timer
  unsigned dial_failures = 0;                 // for the dialer's backoff
  std::size_t in_flight[2] = {0, 0};          // bytes sent by end[s], not yet delivered
  std::uint64_t tx_free_us[2] = {0, 0};       // when end[s]'s direction finishes sending
  std::uint64_t last_arrival_us[2] = {0, 0};  // in-order delivery on each direction

  // A new connection: empty pipes.
  void open(std::uint64_t now_us);
  // When a message of `bytes` sent now by end[side] reaches the other end.
  std::uint64_t send(int side, std::size_t bytes, std::uint64_t now_us, double loss,
                     std::uint64_t bandwidth_bytes_per_s, Rng& rng);
};

}  // namespace ifex::sim
