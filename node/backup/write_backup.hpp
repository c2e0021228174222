// `ifexnode backup`: one archive of a data directory (backup_members.hpp), safe while
// `ifexnode run` uses it: the store is copied in one LMDB read transaction, the small files are
// read as they are, nothing in the data directory is written. The archive is written to
// OUT.tmp, synced, then renamed to OUT (mode 0600), so OUT is either the whole backup or absent.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "keys/result.hpp"
#include "node/home/data_dir.hpp"

namespace ifex::backup {

struct BackupReport {
  std::vector<std::pair<std::string, std::uint64_t>> members;  // name, bytes
  std::uint64_t archive_bytes = 0;
};

// Refuses a missing or uninitialised data dir, a data format newer than this binary, and an
// existing `out` unless `overwrite`. A full disk is error "disk_full"; OUT.tmp is removed.
Result<BackupReport> write_backup(const DataDir& dir, const std::filesystem::path& out,
                                  bool overwrite);

}  // namespace ifex::backup
