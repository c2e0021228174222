// Export and import of bundles (protocol/bundle.hpp): the sneakernet path between nodes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "keys/bytes.hpp"
#include "keys/result.hpp"
#include "node/store/store.hpp"
#include "protocol/clock_file.hpp"

namespace ifex {

struct ExportReport {
  std::uint64_t entries = 0;
  std::uint64_t fork_proofs = 0;
  std::uint64_t bytes = 0;
  std::uint64_t forks = 0;  // with `since`: authors whose head there differs from our entry
};

// Writes every entry of `authors` (all authors when empty) in seq order, then the fork proofs,
// to `out` atomically (a temporary file renamed into place). Refuses to replace an existing
// file unless `overwrite`.
// With `since` (another node's clock file, protocol/clock_file.hpp), writes only what that node
// lacks: per author the entries above its head (all for an author it does not name), our entry
// at its head's seq instead when that differs from its head (a fork its import then records),
// no entries of a log frozen by a fork proof on either side, and the fork proofs it does not
// hold. Rules in docs/protocol.md ("Clock file").
Result<ExportReport> export_bundle(const Store& store, const std::filesystem::path& out,
                                   const std::vector<PublicKey>& authors, bool overwrite,
                                   const std::optional<std::vector<HeldLog>>& since = std::nullopt);

struct RejectedRecord {
  std::uint64_t record = 0;            // 1-based position in the bundle
  std::optional<PublicKey> author;     // unknown when the entry could not be decoded
  std::optional<std::uint64_t> seq;
  std::optional<Hash> id;
  std::string code;
  std::string reason;
};

struct ImportReport {
  std::uint64_t records = 0;
  std::uint64_t stored = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t fork_proofs_added = 0;
  std::vector<RejectedRecord> rejected;
  std::optional<Error> bundle_error;  // damage to the bundle's framing (e.g. truncated)
  bool clean() const { return rejected.empty() && !bundle_error; }
};

struct ImportPolicy {
  PublicKey own_key;             // always accepted
  std::size_t batch_entries = 1024;
  // This node's wall clock, ms since the Unix epoch (the default bounds nothing).
  std::uint64_t now_ms = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t max_clock_skew_ms = 3'600'000;  // entries dated further ahead are refused
};

// Verifies every record, stores the valid entries of accepted authors (own key or roster) in
// chain order, and reports each rejected record with its reason. What verified is stored even
// when other records are rejected. Errors only when the store itself fails.
Result<ImportReport> import_bundle(Store& store, const std::filesystem::path& file,
                                   const ImportPolicy& policy);

}  // namespace ifex
