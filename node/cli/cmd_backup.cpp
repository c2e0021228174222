// ifexnode backup: one archive of a data directory, safe while the node runs
// (node/backup/write_backup.hpp; docs/operations.md, "Backup and restore").
#include <CLI/CLI.hpp>
#include <chrono>
#include <iomanip>
#include <iostream>

#include "node/backup/write_backup.hpp"
#include "node/cli/cli_support.hpp"

namespace ifex::cli {

void add_backup_command(CLI::App& app) {
  struct Options {
    std::string data;
    std::string out;
    bool force = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "backup",
      "Write one archive (tar) of the data dir: store, key, config, token; safe while "
      "the node runs");
  cmd->add_option("--data", o->data, "Data directory")->required();
  cmd->add_option("--out", o->out, "Archive file to write (mode 0600)")->required();
  cmd->add_flag("--force", o->force, "Replace --out if it exists");
  cmd->callback([o] {
    const auto start = std::chrono::steady_clock::now();
    auto report = need(backup::write_backup(DataDir{o->data}, o->out, o->force), "backup");
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (const auto& [name, bytes] : report.members)
      std::cout << "  " << std::left << std::setw(16) << name << " " << bytes << " bytes\n";
    std::cout << "backup written: " << o->out << " (" << report.archive_bytes << " bytes, "
              << std::fixed << std::setprecision(1) << seconds << " s)\n";
  });
}

}  // namespace ifex::cli
