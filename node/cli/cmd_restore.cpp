// ifexnode restore: a backup archive into a new data directory. The archive is read strictly
// into a hidden staging directory beside DIR, opened as a node (an older data format migrated),
// indexed and verified there; only then is it renamed to DIR. A restore that fails, or is
// killed, never leaves DIR behind as something a node would start on.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iomanip>
#include <iostream>

#include "node/backup/read_backup.hpp"
#include "node/cli/cli_support.hpp"
#include "node/home/data_format.hpp"
#include "node/home/node_handle.hpp"

namespace ifex::cli {

namespace {

namespace fs = std::filesystem;

// Removes the staging directory unless the restore reached its end.
class Staging {
 public:
  explicit Staging(fs::path path) : path_(std::move(path)) {}
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;
  ~Staging() {
    if (kept_) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  void keep() { kept_ = true; }

 private:
  fs::path path_;
  bool kept_ = false;
};

void sync_dir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw Failure{"cannot open " + dir.string()};
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw Failure{"cannot sync " + dir.string()};
}

// DIR may not exist yet, or be an empty directory; its parent must exist.
fs::path check_target(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) throw Failure{dir.string() + " exists and is not a directory"};
    if (!fs::is_empty(dir, ec))
      throw Failure{dir.string() +
                    " is not empty: restore only into a new or empty directory "
                    "(a node's data is never overwritten)"};
  }
  const fs::path parent = fs::absolute(dir).parent_path();
  if (!fs::is_directory(parent, ec)) throw Failure{"no such directory: " + parent.string()};
  return parent;
}

}  // namespace

void add_restore_command(CLI::App& app) {
  struct Options {
    std::string in;
    std::string data;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "restore",
      "Restore a backup archive into a new data directory, rebuild its index, verify it");
  cmd->add_option("--in", o->in, "Archive written by `ifexnode backup`")->required();
  cmd->add_option("--data", o->data, "Data directory to create (absent or empty)")->required();
  cmd->callback([o] {
    const auto start = std::chrono::steady_clock::now();
    fs::path target = fs::absolute(o->data).lexically_normal();
    if (target.filename().empty()) target = target.parent_path();  // "DIR/" names DIR
    const fs::path parent = check_target(target);
    Staging staging(
        parent / ("." + target.filename().string() + ".restoring-" + std::to_string(::getpid())));
    std::error_code ec;
    fs::remove_all(staging.path(), ec);
    if (!fs::create_directory(staging.path(), ec) || ec)
      throw Failure{"cannot create " + staging.path().string() + ": " + ec.message()};
    fs::permissions(staging.path(), fs::perms::owner_all, ec);

    // Each phase is reported as it ends: on a large store the index rebuild dominates.
    auto phase_start = std::chrono::steady_clock::now();
    auto phase_done = [&](const std::string& what) {
      const auto now = std::chrono::steady_clock::now();
      std::cout << what << " (" << std::fixed << std::setprecision(1)
                << std::chrono::duration<double>(now - phase_start).count() << " s)" << std::endl;
      phase_start = now;
    };
    auto extracted = need(backup::extract_backup(o->in, staging.path()), "restore");
    std::uint64_t bytes = 0;
    for (const auto& member : extracted.members) bytes += member.second;
    phase_done("read: " + std::to_string(extracted.members.size()) + " members, " +
               std::to_string(bytes) + " bytes, every checksum matched");
    const DataDir dir{staging.path()};
    const auto format = need(read_data_format(dir), "restore");
    if (format > current_data_format)
      throw Failure{"restore: the backup holds data format " + std::to_string(format) +
                    ", written by a newer ifexnode; this one reads formats up to " +
                    std::to_string(current_data_format) + ": restore it with that version"};
    std::optional<PublishingHold> hold;
    {
      // Opening it as every command does: an older format is migrated here.
      NodeHandle node = need(NodeHandle::open(staging.path()), "restore");
      // The store first: a damaged one is refused before the long part, the indexing.
      const VerifyReport report = need(node.store().verify(), "restore: verifying the store");
      for (const auto& f : report.faults) std::cerr << "fault: " << f << "\n";
      if (!report.faults.empty())
        throw Failure{"restore: the restored store failed verification (" +
                      std::to_string(report.faults.size()) + " faults); nothing was restored"};
      phase_done("verify: ok: " + std::to_string(report.entries_checked) + " entries of " +
                 std::to_string(report.authors_checked) + " authors checked, 0 faults");
      const std::uint64_t indexed = build_indexes(node);  // the archive never holds the index
      phase_done("index: rebuilt, " + std::to_string(indexed) + " alerts");
      hold = need(node.store().publishing_hold(), "restore");
    }

    sync_dir(staging.path());
    // rename(2) replaces an empty directory, so DIR appears whole or not at all.
    fs::rename(staging.path(), target, ec);
    if (ec)
      throw Failure{"cannot rename " + staging.path().string() + " to " + target.string() + ": " +
                    ec.message()};
    staging.keep();
    sync_dir(parent);

    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "restored " << o->in << " into " << target.string() << " (data format " << format
              << (format < current_data_format ? ", migrated" : "") << ")\n";
    if (hold)
      std::cout << "publishing: held (" << hold->reason << "): start the node with its peers; "
                << "it resumes by itself once a peer confirms this node's log "
                << "(docs/operations.md, \"Backup and restore\")\n";
    else
      std::cout << "publishing: not held\n";
    std::cout << std::fixed << std::setprecision(1) << "done in " << seconds << " s" << std::endl;
  });
}

}  // namespace ifex::cli
