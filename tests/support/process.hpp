// Child processes for end-to-end tests: run a command (an argv vector, never a shell) with given
// stdin bytes and capture its stdout, stderr and exit status, or keep one running in the
// background. Every wait has a deadline; a child is only ever signalled by the PID this code
// started and has not yet reaped, so a recycled PID is never hit.
//
// Output goes to anonymous in-memory files (memfd) rather than pipes: a chatty child never
// blocks on a full pipe, and no reader thread is needed. Not thread-safe per object.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ifex::test {

struct ExitStatus {
  int code = -1;   // the exit code when the process exited, else -1
  int signal = 0;  // the signal that ended it, else 0
  bool success() const { return signal == 0 && code == 0; }
  std::string describe() const;  // "exit 0", "killed by signal 9"
};

struct ProcessOptions {
  std::string stdin_data;
  // Changes to the inherited environment: a value sets the variable, nullopt removes it.
  std::vector<std::pair<std::string, std::optional<std::string>>> env;
};

// A running child. The destructor kills it with SIGKILL (if still running) and reaps it, so a
// failing test never leaves a process behind.
class BackgroundProcess {
 public:
  // Starts argv[0] (searched in PATH when it has no '/'). Throws std::system_error when the
  // process cannot be started.
  explicit BackgroundProcess(std::vector<std::string> argv, const ProcessOptions& options = {});
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;
  ~BackgroundProcess();

  pid_t pid() const { return pid_; }
  const std::vector<std::string>& argv() const { return argv_; }

  // Sends `signal` to the child; does nothing once the child has been reaped.
  void kill(int signal);
  // Waits up to `timeout` for the child to end and reaps it; nullopt if it is still running.
  std::optional<ExitStatus> wait_for(std::chrono::milliseconds timeout);
  // The status once reaped, else nullopt. Does not wait.
  std::optional<ExitStatus> status() const { return status_; }

  // What the child wrote so far (all of it once reaped).
  std::string out() const;
  std::string err() const;

  // "argv[0] argv[1] ..." for messages.
  std::string command_line() const;

 private:
  std::optional<ExitStatus> try_reap();
  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  int pidfd_ = -1;  // -1 when the kernel offers no pidfd_open: waits then poll waitpid
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::optional<ExitStatus> status_;
};

struct ProcessResult {
  ExitStatus status;
  std::string out;
  std::string err;
};

// Thrown when a command outlives its timeout (it was killed); the message names the command and
// holds what it wrote, so the failing test says what hung.
struct ProcessTimeout : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Runs a command to its end. On timeout the child is killed with SIGKILL and ProcessTimeout is
// thrown, which fails the calling test.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

// The ifexnode binary under test, from $IFEXNODE_BIN (ctest sets it); throws when unset.
std::string ifexnode_bin();

}  // namespace ifex::test
