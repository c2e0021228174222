// Clock files on disk (protocol/clock_file.hpp): what this store holds, written for another node
// to export against, and read back with the format's bounds.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "keys/result.hpp"
#include "node/store/store.hpp"
#include "protocol/clock_file.hpp"

namespace ifex {

// Every author this store holds entries or a fork proof of, with its head. Reads only.
Result<std::vector<HeldLog>> held_logs(const Store& store);

struct ClockReport {
  std::uint64_t authors = 0;
  std::uint64_t fork_proofs = 0;
  std::uint64_t bytes = 0;
};

// Writes held_logs(store) to `out` atomically; refuses to replace a file unless `overwrite`.
Result<ClockReport> write_clock_file(const Store& store, const std::filesystem::path& out,
                                     bool overwrite);

// Reads and checks a clock file; errors name the file. A file over the size of
// clock_file_max_authors records is refused before it is read.
Result<std::vector<HeldLog>> read_clock_file(const std::filesystem::path& file);

}  // namespace ifex
