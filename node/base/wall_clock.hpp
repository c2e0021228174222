// This machine's wall clock in ms since the Unix epoch: what entries' created_ms and the API's
// timestamps are compared with. One definition for every part of the node.
#pragma once

#include <chrono>
#include <cstdint>

namespace ifex {

inline std::uint64_t wall_clock_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace ifex
