// The standard process_* metrics of Prometheus' client libraries, read from /proc/self (Linux):
// process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds, process_start_time_seconds. A value that cannot be read is
// left out rather than reported as 0. Thread-safe.
#pragma once

#include <vector>

#include "node/feed/metrics_text.hpp"

namespace ifex {

std::vector<Metric> process_metrics();

}  // namespace ifex
