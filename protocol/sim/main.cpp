// ifexnode-sim: runs simulator scenarios and prints their figures (docs/simulator.md).
//   ifexnode-sim SCENARIO.toml... [--seed N] [--nodes N] [--json]
// The figures go to stdout and depend only on the scenario and the seed; the wall time of each
// run goes to stderr.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "protocol/sim/scenario_file.hpp"
#include "protocol/sim/simulation.hpp"

namespace {

int usage(const std::string& problem) {
  std::cerr << "ifexnode-sim: " << problem << "\n"
            << "usage: ifexnode-sim SCENARIO.toml... [--seed N] [--nodes N] [--json]\n"
            << "  --seed N   the seed of every random draw (default: the scenario's)\n"
            << "  --nodes N  N honest nodes: the hub, members and relays in the scenario's "
               "proportions\n"
            << "  --json     one line of JSON per scenario instead of text\n";
  return 2;
}

std::optional<std::uint64_t> number(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 18)
    return std::nullopt;
  return std::stoull(text);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files;
  std::optional<std::uint64_t> seed, nodes;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--json") {
      json = true;
    } else if (arg == "--seed" || arg == "--nodes") {
      if (i + 1 >= argc) return usage(arg + " needs a number");
      auto n = number(argv[++i]);
      if (!n) return usage(arg + " needs a number, not '" + std::string(argv[i]) + "'");
      (arg == "--seed" ? seed : nodes) = *n;
    } else if (arg == "-h" || arg == "--help") {
      usage("runs simulator scenarios");
      return 0;
    } else if (arg.rfind("--", 0) == 0) {
      return usage("unknown option " + arg);
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty()) return usage("no scenario file");
  if (nodes && *nodes < 4) return usage("--nodes needs at least 4");

  int status = 0;
  for (std::size_t f = 0; f < files.size(); ++f) {
    auto scenario = ifex::sim::load_scenario(files[f]);
    if (!scenario) {
      std::cerr << "ifexnode-sim: " << scenario.error().message << "\n";
      status = 1;
      continue;
    }
    if (seed) scenario->seed = *seed;
    if (nodes) *scenario = ifex::sim::with_node_count(std::move(*scenario), *nodes);

    const auto started = std::chrono::steady_clock::now();
    ifex::sim::Simulation sim(std::move(*scenario));
    sim.run();
    const ifex::sim::Report report = sim.report();
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    if (json) {
      std::cout << ifex::sim::format_json(report) << "\n";
    } else {
      if (f > 0) std::cout << "\n";
      std::cout << ifex::sim::format_text(report);
    }
    std::cout.flush();
    std::fprintf(stderr, "%s: wall time %.2f s\n", report.scenario.c_str(), wall);
  }
  return status;
}
