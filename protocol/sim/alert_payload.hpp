// Payloads of simulated alerts: real alerts (protocol/alert.hpp), canonically encoded, so that
// receivers check them as a node does, with a body sized to make the payload `size` bytes.
#pragma once

#include <cstddef>
#include <string>

#include "keys/bytes.hpp"

namespace ifex::sim {

// An encoded alert titled `title`, of `size` bytes, or of the smallest size such an alert can
// have (about 180 bytes) if `size` is below it.
Bytes alert_payload(const std::string& title, std::size_t size);

}  // namespace ifex::sim
