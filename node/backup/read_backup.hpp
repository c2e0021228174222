// The reading side of `ifexnode restore`: an archive is accepted only if it is exactly what
// write_backup writes (backup_members.hpp): the manifest first, then only known members, each
// at most once and within its size bound, then the checksums, whose digest for every member
// must match its data, then the end of the archive. Anything else is an error that names it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "keys/bytes.hpp"
#include "keys/result.hpp"
#include "node/backup/tar_reader.hpp"

namespace ifex::backup {

struct ExtractReport {
  // name, bytes (data members). The search index is never among them: the restore rebuilds it.
  std::vector<std::pair<std::string, std::uint64_t>> members;
};

// What a reader does with an accepted data member: `begin` once (name, mode to give it), then
// its data in chunks, then `end`.
struct MemberSink {
  std::function<Status(const std::string& name, std::uint32_t mode)> begin;
  std::function<Status(ByteView data)> data;
  std::function<Status()> end;
};

// Reads a whole archive through the rules above. The sink has seen every member once this
// returns success; on an error it may have seen some (the caller discards what it wrote).
Result<ExtractReport> read_backup(tar::Reader& reader, const MemberSink& sink);

// Writes the members of `archive` below `into` (an existing, empty directory), each file
// synced, secrets 0600. On an error, what was written stays for the caller to remove.
Result<ExtractReport> extract_backup(const std::filesystem::path& archive,
                                     const std::filesystem::path& into);

}  // namespace ifex::backup
