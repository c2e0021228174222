#include "node/backup/read_backup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "node/backup/backup_members.hpp"
#include "node/backup/member_digest.hpp"

namespace ifex::backup {

namespace {

namespace fs = std::filesystem;

Error damaged(const std::string& what) {
  return make_error("backup_damaged", "not a usable ifexnode backup: " + what);
}

// A small member's whole text, bounded.
Result<std::string> read_text(tar::Reader& reader, const tar::Header& h, std::uint64_t max) {
  if (h.size > max)
    return damaged(h.name + " is " + std::to_string(h.size) + " bytes, over its bound");
  std::string text;
  auto s = reader.read_data([&](ByteView d) {
    text.append(as_chars(d));
    return Status::success();
  });
  if (!s) return s.error();
  return text;
}

Status check_manifest(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  if (line != manifest_magic) {
    if (line.rfind("ifexnode backup ", 0) == 0)
      return make_error("backup_newer",
                        "the archive is a backup of format \"" + line.substr(16) +
                            "\", made by a newer ifexnode; this one reads format 1");
    return damaged("its manifest does not begin with \"" + std::string(manifest_magic) + "\"");
  }
  return Status::success();
}

// "HEX  NAME" lines into a map; a malformed or repeated line is refused.
Result<std::map<std::string, std::string>> parse_checksums(const std::string& text) {
  std::map<std::string, std::string> sums;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() < 67 || line.substr(64, 2) != "  " ||
        line.find_first_not_of("0123456789abcdef") < 64)
      return damaged("a line of its checksums is malformed");
    if (!sums.emplace(line.substr(66), line.substr(0, 64)).second)
      return damaged("its checksums name " + line.substr(66) + " twice");
  }
  return sums;
}

}  // namespace

Result<ExtractReport> read_backup(tar::Reader& reader, const MemberSink& sink) {
  ExtractReport report;
  auto first = reader.next();
  if (!first) return first.error();
  if (!*first || (*first)->name != manifest_name)
    return damaged("its first member is not the manifest \"" + std::string(manifest_name) +
                   "\" (is this an ifexnode backup?)");
  auto manifest = read_text(reader, **first, manifest_max_bytes);
  if (!manifest) return manifest.error();
  if (auto s = check_manifest(*manifest); !s) return s.error();

  std::map<std::string, std::string> digests;  // of the members read
  for (;;) {
    auto next = reader.next();
    if (!next) return next.error();
    if (!*next) return damaged("it ends without its checksums member");
    const tar::Header& h = **next;
    if (h.name == checksums_name) {
      auto text = read_text(reader, h, checksums_max_bytes);
      if (!text) return text.error();
      auto sums = parse_checksums(*text);
      if (!sums) return sums.error();
      digests.emplace(std::string(manifest_name), [&] {
        MemberDigest d;
        d.update(as_bytes(*manifest));
        return d.hex();
      }());
      if (*sums != digests) {
        for (const auto& [name, hex] : digests) {
          auto it = sums->find(name);
          if (it == sums->end()) return damaged("its checksums do not list " + name);
          if (it->second != hex)
            return damaged(name + " does not match its checksum (a damaged or altered byte)");
        }
        return damaged("its checksums list a member the archive lacks");
      }
      break;
    }
    const auto rule = member_rule(h.name);
    if (!rule) return damaged("it holds an unknown member \"" + h.name + "\"");
    if (digests.count(h.name)) return damaged("it holds " + h.name + " twice");
    if (h.size > rule->max_bytes)
      return damaged(h.name + " is " + std::to_string(h.size) + " bytes, over its bound of " +
                     std::to_string(rule->max_bytes));
    const std::uint32_t mode = (h.mode & 0777) & (rule->secret ? 0600u : 0777u);
    if (auto s = sink.begin(h.name, mode); !s) return s.error();
    MemberDigest digest;
    auto s = reader.read_data([&](ByteView d) {
      digest.update(d);
      return sink.data(d);
    });
    if (!s) return s.error();
    if (auto e = sink.end(); !e) return e.error();
    digests.emplace(h.name, digest.hex());
    report.members.emplace_back(h.name, h.size);
  }
  auto end = reader.next();
  if (!end) return end.error();
  if (*end) return damaged("it holds a member after its checksums (" + (*end)->name + ")");
  for (const auto& rule : data_members)
    if (rule.required && !digests.count(std::string(rule.name)))
      return damaged("it lacks " + std::string(rule.name));
  return report;
}

Result<ExtractReport> extract_backup(const fs::path& archive, const fs::path& into) {
  const int in = ::open(archive.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0)
    return make_error("no_backup", "cannot open " + archive.string() + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(in);
    return make_error("no_backup", archive.string() + " is not a regular file");
  }
  int out = -1;
  std::string current;
  auto io_error = [&](const char* what) {
    const int err = errno;
    if (err == ENOSPC || err == EDQUOT)
      return make_error("disk_full",
                        "the disk is full restoring " + current + " into " + into.string());
    return make_error("restore_write", std::string(what) + " " + (into / current).string() + ": " +
                                           std::strerror(err));
  };
  MemberSink sink;
  sink.begin = [&](const std::string& name, std::uint32_t mode) -> Status {
    current = name;
    const fs::path path = into / name;
    if (path.parent_path() != into && ::mkdir(path.parent_path().c_str(), 0700) != 0 &&
        errno != EEXIST)
      return io_error("cannot create");
    // O_EXCL | O_NOFOLLOW: a member never replaces or follows anything already there.
    out = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0) return io_error("cannot create");
    if (::fchmod(out, mode) != 0) return io_error("cannot chmod");
    return Status::success();
  };
  sink.data = [&](ByteView d) -> Status {
    while (!d.empty()) {
      const ssize_t n = ::write(out, d.data(), d.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return io_error("cannot write");
      d = d.subspan(static_cast<std::size_t>(n));
    }
    return Status::success();
  };
  sink.end = [&]() -> Status {
    const bool synced = ::fsync(out) == 0;
    const int fd = out;
    out = -1;
    if (!synced) {
      Error e = io_error("cannot sync");
      ::close(fd);
      return e;
    }
    if (::close(fd) != 0) return io_error("cannot close");
    return Status::success();
  };
  tar::Reader reader(tar::fd_source(in));
  auto report = read_backup(reader, sink);
  if (out >= 0) ::close(out);
  ::close(in);
  return report;
}

}  // namespace ifex::backup
