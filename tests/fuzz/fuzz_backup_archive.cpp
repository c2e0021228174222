// read_backup (node/backup/read_backup.hpp): every byte of a backup archive that `ifexnode
// restore` reads. Whatever the input, the reader never reads past its end, hands the sink only
// known members within their bounds, each exactly its header's size, and an accepted archive
// holds every required member.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>

#include "fuzz_check.hpp"
#include "node/backup/backup_members.hpp"
#include "node/backup/read_backup.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ifex;
  std::size_t at = 0;
  tar::Reader reader([&](std::uint8_t* out, std::size_t n) -> Result<std::size_t> {
    const std::size_t take = std::min(n, size - at);
    std::memcpy(out, data + at, take);
    at += take;
    return take;
  });
  std::map<std::string, std::uint64_t> seen;
  std::string current;
  bool open = false;
  backup::MemberSink sink;
  sink.begin = [&](const std::string& name, std::uint32_t mode) -> Status {
    FUZZ_CHECK(!open);
    const auto rule = backup::member_rule(name);
    FUZZ_CHECK(rule && !seen.count(name));
    FUZZ_CHECK(!rule->secret || (mode & 077) == 0);
    open = true;
    current = name;
    seen[name] = 0;
    return Status::success();
  };
  sink.data = [&](ByteView d) -> Status {
    FUZZ_CHECK(open);
    seen[current] += d.size();
    FUZZ_CHECK(seen[current] <= backup::member_rule(current)->max_bytes);
    return Status::success();
  };
  sink.end = [&]() -> Status {
    FUZZ_CHECK(open);
    open = false;
    return Status::success();
  };
  auto report = backup::read_backup(reader, sink);
  FUZZ_CHECK(at <= size);
  if (!report) {
    FUZZ_CHECK(!report.error().code.empty() && !report.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(!open);
  FUZZ_CHECK(report->members.size() == seen.size());
  for (const auto& [name, bytes] : report->members) FUZZ_CHECK(seen.at(name) == bytes);
  for (const auto& rule : backup::data_members)
    FUZZ_CHECK(!rule.required || seen.count(std::string(rule.name)));
  return 0;
}
