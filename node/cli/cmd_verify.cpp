// ifexnode verify: re-check every stored signature, chain link, index and head.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>

#include "node/cli/cli_support.hpp"
#include "node/home/node_handle.hpp"

namespace ifex::cli {

void add_verify_command(CLI::App& app) {
  struct Options {
    std::string data;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("verify", "Re-check every stored entry; non-zero exit on a fault");
  cmd->add_option("--data", o->data, "Data directory")->required();
  cmd->add_flag("--json", o->json, "Print the report as JSON");
  cmd->callback([o] {
    NodeHandle node = need(NodeHandle::open(o->data));
    const bool tty = ::isatty(STDERR_FILENO) && !o->json;
    auto report = need(node.store().verify([&](std::uint64_t n) {
      if (tty) std::cerr << "\rchecked " << n << " entries" << std::flush;
    }));
    if (tty) std::cerr << "\n";
    if (o->json) {
      boost::json::array faults;
      for (const auto& f : report.faults) faults.emplace_back(f);
      print_json(boost::json::object{{"entries", report.entries_checked},
                                     {"authors", report.authors_checked},
                                     {"ok", report.faults.empty()},
                                     {"faults", faults}});
    } else {
      for (const auto& f : report.faults) std::cerr << "fault: " << f << "\n";
      std::cout << (report.faults.empty() ? "ok: " : "FAULTS: ") << report.entries_checked
                << " entries of " << report.authors_checked << " authors checked, "
                << report.faults.size() << " faults\n";
    }
    if (!report.faults.empty()) throw Failure{"the store failed verification", 1};
  });
}

}  // namespace ifex::cli
