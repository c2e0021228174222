// `ifexnode doctor`: what an operator should look at on a node, each finding with what to do.
// Read-only: nothing in the data directory is changed (an older data format is reported, not
// migrated), and it works whether the node runs or not.
#pragma once

#include <chrono>
#include <filesystem>
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
  std::chrono::milliseconds peer_timeout{3000};
  std::int64_t max_clock_skew_s = 60;  // a peer's clock further off than this is a warning
};

std::vector<Finding> run_doctor(const std::filesystem::path& root, const DoctorOptions& options);

}  // namespace ifex::cli
