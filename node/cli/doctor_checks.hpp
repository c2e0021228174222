// `ifexnode doctor`: what an operator should look at on a node, each finding with what to do.
// Read-only: nothing in the data directory is changed (the store is opened read-only, an older
// data format is reported, not migrated), it takes no lock and waits on none, and it works
// whether the node runs or not. Its peer probes run in parallel within one overall deadline.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ifex::cli {

enum class Severity { ok, info, warn, fail };
std::string_view severity_name(Severity s);

struct Finding {
  std::string check;    // a stable name: data_dir, key_file, config, ...
  Severity severity = Severity::ok;
  std::string message;  // what was found
  std::string action;   // what to do ("" when nothing)
};

struct DoctorOptions {
  std::chrono::milliseconds peer_timeout{3000};      // each probe, name lookup included
  std::chrono::milliseconds peers_deadline{10'000};  // all peer probes together
  // A peer's clock further off than this is a warning; unset: the config's [limits]
  // max_clock_skew_s, the bound past which peers refuse this node's entries as future-dated.
  std::optional<std::int64_t> max_clock_skew_s;
};

std::vector<Finding> run_doctor(const std::filesystem::path& root, const DoctorOptions& options);

}  // namespace ifex::cli
