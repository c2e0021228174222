#include "node/backup/write_backup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

#include "node/backup/backup_members.hpp"
#include "node/backup/member_digest.hpp"
#include "node/backup/tar_format.hpp"
#include "node/backup/tar_writer.hpp"
#include "node/home/data_format.hpp"
#include "node/store/store_copy.hpp"

namespace ifex::backup {

namespace {

namespace fs = std::filesystem;

std::uint64_t now_seconds() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// One archive being written: each member's data goes to the tar and to its digest.
struct Archive {
  tar::Writer writer;
  std::string checksums;
  BackupReport report;

  Status add(const std::string& name, std::uint32_t mode, ByteView data) {
    if (auto s = writer.begin_member(name, mode, now_seconds()); !s) return s;
    if (auto s = writer.write(data); !s) return s;
    return finish_member(name, data.size(), [&] {
      MemberDigest d;
      d.update(data);
      return d.hex();
    }());
  }
  Status finish_member(const std::string& name, std::uint64_t size, const std::string& hex) {
    if (auto s = writer.end_member(); !s) return s;
    checksums += hex + "  " + name + "\n";
    report.members.emplace_back(name, size);
    return Status::success();
  }
};

Result<std::string> read_small_file(const fs::path& path, std::uint64_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return make_error("backup_read", "cannot read " + path.string() + ": " + std::strerror(errno));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return make_error("backup_read", "cannot read " + path.string());
  if (text.size() > max_bytes)
    return make_error("backup_read", path.string() + " is larger than a node's file can be (" +
                                         std::to_string(max_bytes) + " bytes)");
  return text;
}

// The store's copy, streamed from LMDB's copy thread through a pipe into the archive. If the
// archive cannot take it (disk full), the pipe is still drained so the copy ends cleanly.
Status add_store(Archive& archive, const fs::path& store_dir) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return make_error("backup_pipe", std::string("cannot make a pipe: ") + std::strerror(errno));
  Status copied;
  std::thread copier([&] {
    copied = copy_store_compacted(store_dir, fds[1]);
    ::close(fds[1]);
  });
  Status written = archive.writer.begin_member(std::string(store_member), 0600, now_seconds());
  MemberDigest digest;
  std::uint64_t size = 0;
  std::vector<std::uint8_t> buf(std::size_t{1} << 20);
  for (;;) {
    const ssize_t n = ::read(fds[0], buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (written)
        written = make_error("backup_pipe",
                             std::string("reading the store's copy: ") + std::strerror(errno));
      break;
    }
    if (n == 0) break;
    if (!written) continue;
    const ByteView chunk(buf.data(), static_cast<std::size_t>(n));
    digest.update(chunk);
    size += chunk.size();
    written = archive.writer.write(chunk);
  }
  copier.join();
  ::close(fds[0]);
  if (!written) return written;
  if (!copied) return copied;
  return archive.finish_member(std::string(store_member), size, digest.hex());
}

Status write_members(Archive& archive, const DataDir& dir) {
  const std::string manifest = std::string(manifest_magic) + "\ncreated_ms " +
                               std::to_string(now_seconds() * 1000) + "\nindex rebuild\n";
  if (auto s = archive.add(std::string(manifest_name), 0600, as_bytes(manifest)); !s) return s;
  for (const auto& rule : data_members) {
    if (rule.name == store_member) {
      if (auto s = add_store(archive, dir.store_dir()); !s) return s;
      continue;
    }
    const fs::path path = dir.root / rule.name;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT && !rule.required) continue;
      return make_error("backup_read",
                        "cannot read " + path.string() + ": " + std::strerror(errno));
    }
    auto text = read_small_file(path, rule.max_bytes);
    if (!text) return text.error();
    const std::uint32_t mode = (st.st_mode & 0777) & (rule.secret ? 0600u : 0777u);
    if (auto s = archive.add(std::string(rule.name), mode, as_bytes(*text)); !s) return s;
  }
  return archive.add(std::string(checksums_name), 0600, as_bytes(archive.checksums));
}

Status sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return make_error("backup_sync", "cannot open " + dir.string() + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0)
    return make_error("backup_sync", "cannot sync " + dir.string() + ": " + std::strerror(errno));
  return Status::success();
}

}  // namespace

Result<BackupReport> write_backup(const DataDir& dir, const fs::path& out, bool overwrite) {
  std::error_code ec;
  if (!fs::is_directory(dir.root, ec))
    return make_error("no_data_dir", "no such data directory: " + dir.root.string());
  if (!fs::exists(dir.key_file(), ec) || !fs::exists(dir.config_file(), ec))
    return make_error("no_data_dir", dir.root.string() +
                                         " is not an ifexnode data directory "
                                         "(no identity.key or ifexnode.toml)");
  if (!fs::exists(dir.store_dir() / "data.mdb", ec))
    return make_error("no_store", "no store in " + dir.store_dir().string());
  auto format = read_data_format(dir);
  if (!format) return format.error();
  if (*format > current_data_format)
    return make_error("data_format_newer",
                      dir.root.string() + " holds data format " + std::to_string(*format) +
                          ", written by a newer ifexnode; this one reads formats up to " +
                          std::to_string(current_data_format) + ": back it up with that version");
  if (fs::exists(out, ec) && !overwrite)
    return make_error("backup_exists", out.string() +
                                           " exists: choose another name, or pass "
                                           "--force to replace it");
  const fs::path parent = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  if (!fs::is_directory(parent, ec))
    return make_error("backup_out", "no such directory: " + parent.string());

  fs::path tmp = out;
  tmp += ".tmp";
  auto writer = tar::Writer::create(tmp);
  if (!writer) return writer.error();
  Archive archive{std::move(*writer), {}, {}};
  Status done = write_members(archive, dir);
  if (done) {
    archive.report.archive_bytes = archive.writer.bytes_written() + 2 * tar::block_size;
    done = archive.writer.finish();
  }
  if (done) {
    fs::rename(tmp, out, ec);
    if (ec)
      done = make_error("backup_rename", "cannot rename " + tmp.string() + ": " + ec.message());
  }
  if (done) done = sync_directory(parent);
  if (!done) {
    fs::remove(tmp, ec);
    return done.error();
  }
  return archive.report;
}

}  // namespace ifex::backup
