// One running node per data directory: `ifexnode run` holds an exclusive flock(2) on
// DATA/run.lock for its whole life. Two nodes on one data dir would both sign as the same
// author and fork its log. The kernel drops the lock when the process ends, however it ends
// (kill -9 included), so the lock can never be left stale. CLI commands (publish, import, ...)
// do not take it: LMDB serialises their writes with the running node's.
#pragma once

#include <filesystem>
#include <string>

#include "keys/result.hpp"

namespace ifex {

class RunLock {
 public:
  // Takes the lock without waiting and writes this process's pid into the file (for the
  // message another `run` prints). Fails with a message naming the holder's pid when taken.
  static Result<RunLock> acquire(const std::filesystem::path& file);

  RunLock(RunLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  RunLock& operator=(RunLock&&) = delete;
  RunLock(const RunLock&) = delete;
  ~RunLock();

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Whether a node holds the run lock on `file`, asked without taking any lock. Taking it, even
// for an instant, could make a node that starts at that instant refuse to run. flock(2) locks
// are invisible to fcntl's F_GETLK / F_OFD_GETLK (a separate lock table on Linux), so the
// query reads the kernel's list of held locks, /proc/locks, for a FLOCK lock on this inode.
struct RunLockState {
  enum Held { free, held, unknown } state = unknown;
  std::string pid;  // the holder's pid, as it wrote it into the file ("" when not known)
  std::string why;  // for `unknown`: what could not be read
};
RunLockState query_run_lock(const std::filesystem::path& file);

}  // namespace ifex
