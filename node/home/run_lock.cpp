#include "node/home/run_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
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

}  // namespace ifex
