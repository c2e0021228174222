#include "node/home/run_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace ifex {

namespace {

// The pid the holder wrote, or "" when the file is empty or unreadable (a holder may be
// between taking the lock and writing its pid).
std::string holder_pid(int fd) {
  char buf[32] = {};
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return "";
  std::string text(buf, static_cast<std::size_t>(n));
  text = text.substr(0, text.find_first_not_of("0123456789"));
  return text;
}

}  // namespace

Result<RunLock> RunLock::acquire(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return make_error("run_lock", "cannot open " + file.string() + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    const std::string pid = err == EWOULDBLOCK ? holder_pid(fd) : "";
    ::close(fd);  // not ours: the holder's pid stays in the file
    if (err != EWOULDBLOCK)
      return make_error("run_lock", "cannot lock " + file.string() + ": " + std::strerror(err));
    return make_error("already_running",
                      "another ifexnode is running on " + file.parent_path().string() +
                          (pid.empty() ? "" : " (pid " + pid + ")") +
                          ": one node per data directory (two would fork this node's log); "
                          "stop it first, or use another data directory");
  }
  RunLock lock(fd);
  const std::string text = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
    return make_error("run_lock", "cannot write " + file.string() + ": " + std::strerror(errno));
  return lock;
}

RunLock::~RunLock() {
  if (fd_ < 0) return;
  // Empty the file so a stale pid is never shown; closing releases the lock.
  [[maybe_unused]] const int rc = ::ftruncate(fd_, 0);
  ::close(fd_);
}

namespace {

// One line of /proc/locks names a held lock as "ID: FLOCK ADVISORY WRITE PID MAJ:MIN:INODE START
// END" (major and minor in hex); a waiter's line has "->" after the ID and holds nothing.
struct LockLine {
  std::string pid;
  std::string device;  // "maj:min"
  std::uint64_t inode = 0;
};

std::optional<LockLine> parse_flock_line(const std::string& line) {
  std::istringstream in(line);
  std::string id, kind, advisory, mode, pid, where;
  if (!(in >> id >> kind) || kind == "->" || kind != "FLOCK") return std::nullopt;
  if (!(in >> advisory >> mode >> pid >> where)) return std::nullopt;
  const auto last = where.rfind(':');
  if (last == std::string::npos) return std::nullopt;
  LockLine out{pid, where.substr(0, last), 0};
  try {
    out.inode = std::stoull(where.substr(last + 1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return out;
}

std::string device_text(dev_t dev) {
  char text[32];
  std::snprintf(text, sizeof text, "%02x:%02x", ::major(dev), ::minor(dev));
  return text;
}

}  // namespace

RunLockState query_run_lock(const std::filesystem::path& file) {
  RunLockState out;
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    if (errno == ENOENT) return {RunLockState::free, "", ""};  // no node has run here
    out.why = "cannot stat " + file.string() + ": " + std::strerror(errno);
    return out;
  }
  if (!S_ISREG(st.st_mode)) {
    out.why = file.string() + " is not a regular file";
    return out;
  }
  if (int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
    out.pid = holder_pid(fd);
    ::close(fd);
  }
  std::ifstream locks("/proc/locks");
  if (!locks) {
    out.why = "cannot read /proc/locks (is /proc mounted?)";
    return out;
  }
  const std::string device = device_text(st.st_dev);
  std::string line;
  while (std::getline(locks, line)) {
    auto lock = parse_flock_line(line);
    if (!lock || lock->inode != st.st_ino) continue;
    // Some file systems (btrfs subvolumes, overlayfs) show stat() a device number other than the
    // one in /proc/locks: a matching inode then counts when the holder is the pid in the file.
    if (lock->device == device || (!out.pid.empty() && lock->pid == out.pid)) {
      out.state = RunLockState::held;
      return out;
    }
  }
  if (locks.bad()) {
    out.why = "reading /proc/locks failed";
    return out;
  }
  out.state = RunLockState::free;
  out.pid.clear();  // a stale pid: the file is emptied at exit, but not after kill -9
  return out;
}

}  // namespace ifex
