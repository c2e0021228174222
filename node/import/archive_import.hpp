// Import of the pre-federation alert archive (JSONL, see legacy_record.hpp) into this node's own
// log: each valid record becomes an `alert` entry signed by this node, with the record's
// legacy_id as provenance. Signing is batched: `batch_entries` entries per LMDB write
// transaction, each batch durable when its transaction commits.
//
// Idempotent: a record whose legacy_id is already in this node's own log is skipped, so
// importing a file again (or after an interruption) adds only what is missing. A bad line is
// reported with its line number and skipped; the rest goes in.
//
// No terminal code here: progress is reported through callbacks (node/base/progress.hpp draws it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include "keys/identity.hpp"
#include "keys/result.hpp"
#include "node/store/store.hpp"
#include "protocol/alert.hpp"

namespace ifex {

struct ArchiveImportOptions {
  std::size_t batch_entries =
      1024;  // entries signed per transaction ([limits] import_batch_entries)
  std::size_t max_listed_rejections = 1000;  // the report lists this many; it counts them all
  std::size_t max_line_bytes = std::size_t{1} << 20;  // longer lines are rejected unread
  AlertLimits alert_limits;
  // The created time (ms since the Unix epoch) of each signed entry. Default: the system clock.
  std::function<std::uint64_t()> clock;
  // Called once before the first record with the number of lines in the file.
  std::function<void(std::uint64_t lines)> on_start;
  // Called with the number of lines handled since the previous call. Lines are reported only
  // once what they added is committed.
  std::function<void(std::uint64_t lines)> on_progress;
};

struct RejectedLine {
  std::uint64_t line = 0;  // 1-based
  std::string code;        // invalid_json, missing_field, wrong_type, invalid_field, too_long, ...
  std::string reason;      // names the field and the rule; safe to print (no raw control bytes)
};

struct ArchiveImportReport {
  std::uint64_t lines = 0;               // lines read, blank ones included
  std::uint64_t imported = 0;            // alerts signed and stored
  std::uint64_t skipped_duplicates = 0;  // legacy_id already in this node's own log
  std::uint64_t rejected_count = 0;      // all rejected lines
  std::vector<RejectedLine> rejected;    // the first max_listed_rejections of them
};

// The legacy_ids of the alerts in `author`'s log, read in pages.
Result<std::unordered_set<std::string>> legacy_ids_in_log(const Store& store,
                                                          const PublicKey& author);

// Imports `file` into `identity`'s own log in `store`. Fails when the file cannot be read or the
// store fails (batches committed before the failure stay; the message says how far it got);
// bad lines are not failures, they are in the report.
// REQUIRES: options.batch_entries > 0.
Result<ArchiveImportReport> import_archive(Store& store, const Identity& identity,
                                           const std::filesystem::path& file,
                                           const ArchiveImportOptions& options = {});

}  // namespace ifex
