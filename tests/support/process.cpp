#include "tests/support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <thread>

extern char** environ;

namespace ifex::test {

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void throw_errno(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

int make_memfd(const char* name) {
  int fd = ::memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) throw_errno(errno, "memfd_create");
  return fd;
}

void write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno(errno, "writing the child's stdin");
    done += static_cast<std::size_t>(n);
  }
}

std::string read_all(int fd) {
  std::string out;
  char buf[16384];
  for (off_t offset = 0;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    offset += n;
  }
  return out;
}

std::vector<std::string> child_environment(const ProcessOptions& options) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  for (const auto& [name, value] : options.env) {
    const std::string prefix = name + "=";
    std::erase_if(env, [&](const std::string& s) { return s.starts_with(prefix); });
    if (value) env.push_back(prefix + *value);
  }
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

ExitStatus decode_wait_status(int st) {
  ExitStatus s;
  if (WIFEXITED(st)) s.code = WEXITSTATUS(st);
  if (WIFSIGNALED(st)) s.signal = WTERMSIG(st);
  return s;
}

// Frees the spawn attributes on every path out of the constructor.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

}  // namespace

std::string ExitStatus::describe() const {
  if (signal != 0) return "killed by signal " + std::to_string(signal);
  return "exit " + std::to_string(code);
}

BackgroundProcess::BackgroundProcess(std::vector<std::string> argv, const ProcessOptions& options)
    : argv_(std::move(argv)) {
  if (argv_.empty()) throw std::invalid_argument("BackgroundProcess: empty argv");
  int in_fd = make_memfd("stdin");
  out_fd_ = make_memfd("stdout");
  err_fd_ = make_memfd("stderr");
  try {
    write_all(in_fd, options.stdin_data);
    if (::lseek(in_fd, 0, SEEK_SET) != 0) throw_errno(errno, "lseek");

    SpawnSetup setup;
    posix_spawn_file_actions_adddup2(&setup.actions, in_fd, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&setup.actions, out_fd_, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&setup.actions, err_fd_, STDERR_FILENO);
    // A test harness may block signals in its thread; the child must start with none blocked
    // and with SIGPIPE at its default, as it would from a shell.
    sigset_t none, pipe;
    sigemptyset(&none);
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    posix_spawnattr_setsigmask(&setup.attr, &none);
    posix_spawnattr_setsigdefault(&setup.attr, &pipe);
    posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<std::string> env = child_environment(options);
    std::vector<char*> envp = c_strings(env);
    std::vector<std::string> args = argv_;
    std::vector<char*> argvp = c_strings(args);
    int rc = ::posix_spawnp(&pid_, argv_[0].c_str(), &setup.actions, &setup.attr, argvp.data(),
                            envp.data());
    if (rc != 0) throw_errno(rc, "cannot start " + argv_[0]);
  } catch (...) {
    ::close(in_fd);
    ::close(out_fd_);
    ::close(err_fd_);
    throw;
  }
  ::close(in_fd);
  // Without pidfd (old kernels, strict seccomp) wait_for falls back to polling waitpid. The raw
  // syscall, because glibc 2.36's <sys/pidfd.h> lacks C linkage for C++.
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
}

BackgroundProcess::~BackgroundProcess() {
  if (!status_) {
    ::kill(pid_, SIGKILL);
    int st = 0;
    while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
    }
  }
  if (pidfd_ >= 0) ::close(pidfd_);
  ::close(out_fd_);
  ::close(err_fd_);
}

void BackgroundProcess::kill(int signal) {
  // Until reaped the PID is still this child's (at worst a zombie), never a recycled one.
  if (!status_) ::kill(pid_, signal);
}

std::optional<ExitStatus> BackgroundProcess::try_reap() {
  if (status_) return status_;
  int st = 0;
  pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == pid_) status_ = decode_wait_status(st);
  return status_;
}

std::optional<ExitStatus> BackgroundProcess::wait_for(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto backoff = std::chrono::milliseconds(1);
  for (;;) {
    if (try_reap()) return status_;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    if (pidfd_ >= 0) {
      pollfd p{pidfd_, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
    } else {
      std::this_thread::sleep_for(std::min(backoff, left));
      backoff = std::min(backoff * 2, std::chrono::milliseconds(20));
    }
  }
}

std::string BackgroundProcess::out() const {
  return read_all(out_fd_);
}
std::string BackgroundProcess::err() const {
  return read_all(err_fd_);
}

std::string BackgroundProcess::command_line() const {
  std::string line;
  for (const auto& a : argv_) line += (line.empty() ? "" : " ") + a;
  return line;
}

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options,
                          std::chrono::milliseconds timeout) {
  BackgroundProcess p(argv, options);
  auto status = p.wait_for(timeout);
  if (!status) {
    p.kill(SIGKILL);
    p.wait_for(std::chrono::seconds(10));
    throw ProcessTimeout("`" + p.command_line() + "` did not finish within " +
                         std::to_string(timeout.count()) + " ms and was killed\nstdout:\n" +
                         p.out() + "\nstderr:\n" + p.err());
  }
  return {*status, p.out(), p.err()};
}

std::string ifexnode_bin() {
  const char* bin = std::getenv("IFEXNODE_BIN");
  if (bin == nullptr || *bin == '\0')
    throw std::runtime_error(
        "IFEXNODE_BIN is not set: run the CLI tests through ctest, or set it "
        "to the ifexnode binary");
  return bin;
}

}  // namespace ifex::test
