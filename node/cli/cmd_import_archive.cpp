// ifexnode import-archive: sign the records of the pre-federation archive (JSONL) into this
// node's own log, in batches, skipping what an earlier run imported. Exit 0 once the file was
// processed, bad lines included (they are reported); non-zero when the file or the node cannot
// be opened, or the store fails.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <optional>

#include "node/base/progress.hpp"
#include "node/cli/cli_support.hpp"
#include "node/home/node_handle.hpp"
#include "node/import/archive_import.hpp"

namespace ifex::cli {

namespace {

struct ImportArchiveOptions {
  std::string data;
  std::string file;
  std::string passphrase_file;
  std::size_t max_listed = 1000;
  bool json = false;
};

void print_report(const ArchiveImportReport& r, double seconds, bool json) {
  if (json) {
    boost::json::array rejected;
    for (const auto& rej : r.rejected)
      rejected.push_back(
          boost::json::object{{"line", rej.line}, {"code", rej.code}, {"reason", rej.reason}});
    print_json(boost::json::object{{"imported", r.imported},
                                   {"skipped_duplicates", r.skipped_duplicates},
                                   {"rejected", std::move(rejected)},
                                   {"rejected_count", r.rejected_count},
                                   {"lines", r.lines},
                                   {"seconds", std::round(seconds * 1000) / 1000}});
    return;
  }
  for (const auto& rej : r.rejected) std::cerr << "line " << rej.line << ": " << rej.reason << "\n";
  if (r.rejected_count > r.rejected.size())
    std::cerr << "... and " << r.rejected_count - r.rejected.size() << " more rejected lines\n";
  std::cout << "imported " << r.imported << " alerts\n"
            << "skipped " << r.skipped_duplicates << " already imported\n"
            << "rejected " << r.rejected_count << " lines\n"
            << "read " << r.lines << " lines in " << std::fixed << std::setprecision(1) << seconds
            << " s\n";
}

void run_import_archive(const ImportArchiveOptions& o) {
  NodeHandle node = need(NodeHandle::open(o.data));
  if (!std::filesystem::is_regular_file(o.file))
    throw Failure{"cannot open " + o.file + ": no such file"};
  Identity identity =
      need(node.load_identity(passphrase_source(o.passphrase_file)), "loading the identity key");

  const auto start = std::chrono::steady_clock::now();
  // Started once the file is counted and the log read, so the rate and ETA are the lines'.
  std::optional<Progress> progress;
  ArchiveImportOptions options;
  options.batch_entries = node.config().import_batch_entries;
  options.max_listed_rejections = o.max_listed;
  options.on_start = [&](std::uint64_t lines) {
    progress.emplace(Progress::on_stderr("import-archive", "lines", lines));
  };
  options.on_progress = [&](std::uint64_t lines) { progress->add(lines); };
  ArchiveImportReport report =
      need(import_archive(node.store(), identity, o.file, options), "import-archive");
  if (progress) progress->finish();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  print_report(report, seconds, o.json);
}

}  // namespace

void add_import_archive_command(CLI::App& app) {
  auto o = std::make_shared<ImportArchiveOptions>();
  auto* cmd =
      app.add_subcommand("import-archive",
                         "Sign the alerts of a legacy archive export (JSONL) into this node's log; "
                         "re-running adds only what is missing");
  cmd->add_option("--data", o->data, "Data directory")->required();
  cmd->add_option("file", o->file, "Archive file, one JSON alert a line")->required();
  cmd->add_option("--passphrase-file", o->passphrase_file,
                  "File holding the key's passphrase (or set IFEXNODE_PASSPHRASE_FILE)");
  cmd->add_option("--max-listed", o->max_listed, "List at most this many rejected lines")
      ->capture_default_str();
  cmd->add_flag("--json", o->json,
                "Print {imported, skipped_duplicates, rejected: [{line, code, reason}], "
                "rejected_count, lines, seconds} as JSON");
  cmd->callback([o] { run_import_archive(*o); });
}

}  // namespace ifex::cli
