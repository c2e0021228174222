// InboundRate: a token bucket over the bytes one peer sends us. The reader asks it after each
// frame how long to pause, which turns a flood into a slow, steady read (TCP pushes back on the
// sender) instead of work or memory on our side.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace ifex {

class InboundRate {
 public:
  using Clock = std::chrono::steady_clock;

  InboundRate(std::uint64_t bytes_per_s, std::uint64_t burst_bytes, Clock::time_point now)
      : rate_(static_cast<double>(bytes_per_s)),
        burst_(static_cast<double>(burst_bytes)),
        tokens_(burst_),
        last_(now) {}

  // Spends `bytes` (the bucket may go below zero: the frame was already read) and returns how
  // long to wait until the bucket is back at zero; zero when the peer is within its rate.
  std::chrono::milliseconds take(std::size_t bytes, Clock::time_point now) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_) - static_cast<double>(bytes);
    if (tokens_ >= 0) return std::chrono::milliseconds(0);
    return std::chrono::milliseconds(static_cast<std::int64_t>(-tokens_ * 1000.0 / rate_) + 1);
  }

 private:
  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace ifex
