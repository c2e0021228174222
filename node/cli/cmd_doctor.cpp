// ifexnode doctor: checks a node's data directory, configuration, store, ports and peers, and
// says what to do about each finding (node/cli/doctor_checks.hpp). Exit 0 when nothing needs
// doing, 1 with warnings, 2 with failures, so a cron job or a monitoring check can use it.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json.hpp>
#include <iostream>
#include <optional>

#include "node/cli/cli_support.hpp"
#include "node/cli/doctor_checks.hpp"

namespace ifex::cli {

namespace json = boost::json;

void add_doctor_command(CLI::App& app) {
  struct Options {
    std::string data;
    bool json = false;
    std::uint64_t peer_timeout_ms = 3000;
    std::uint64_t peers_deadline_ms = 10'000;
    std::optional<std::int64_t> max_clock_skew_s;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "doctor", "Check permissions, key, config, disk, map size, ports, peers and clock");
  cmd->add_option("--data", o->data, "Data directory")->required();
  cmd->add_flag("--json", o->json, "Print the findings as JSON");
  cmd->add_option("--peer-timeout-ms", o->peer_timeout_ms,
                  "How long to wait for each peer address, name lookup included")
      ->check(CLI::Range(100, 60'000))
      ->capture_default_str();
  cmd->add_option("--peers-deadline-ms", o->peers_deadline_ms,
                  "How long all peer probes may take together (they run in parallel)")
      ->check(CLI::Range(100, 600'000))
      ->capture_default_str();
  cmd->add_option("--max-clock-skew-s", o->max_clock_skew_s,
                  "A peer clock further off than this is a warning (default: the config's "
                  "[limits] max_clock_skew_s)")
      ->check(CLI::Range(1, 86'400 * 366));
  cmd->callback([o] {
    DoctorOptions options;
    options.peer_timeout = std::chrono::milliseconds(o->peer_timeout_ms);
    options.peers_deadline = std::chrono::milliseconds(o->peers_deadline_ms);
    options.max_clock_skew_s = o->max_clock_skew_s;
    auto findings = run_doctor(o->data, options);
    Severity worst = Severity::ok;
    for (const auto& f : findings) worst = std::max(worst, f.severity);
    if (o->json) {
      json::array list;
      for (const auto& f : findings)
        list.push_back(json::object{{"check", f.check},
                                    {"severity", severity_name(f.severity)},
                                    {"message", f.message},
                                    {"action", f.action}});
      print_json(json::object{{"worst", severity_name(worst)}, {"findings", std::move(list)}});
    } else {
      for (const auto& f : findings) {
        std::string tag(severity_name(f.severity));
        tag.resize(4, ' ');
        std::cout << tag << "  " << f.check << ": " << f.message << "\n";
        if (!f.action.empty()) std::cout << "      -> " << f.action << "\n";
      }
    }
    auto count = [&](Severity s) {
      return std::count_if(findings.begin(), findings.end(),
                           [s](const Finding& f) { return f.severity == s; });
    };
    const std::string summary = std::to_string(count(Severity::fail)) + " failing, " +
                                std::to_string(count(Severity::warn)) + " to look at";
    if (worst == Severity::fail) throw Failure{"doctor: " + summary, 2};
    if (worst == Severity::warn) throw Failure{"doctor: " + summary, 1};
  });
}

}  // namespace ifex::cli
