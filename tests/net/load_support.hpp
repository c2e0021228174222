// Helpers for the load and abuse tests (net_load_test): changing a node's limits before it
// starts, reading its memory from /proc, running hostile_peer in the background and reading the
// figures it prints, and a JSONL archive to give a node a backlog quickly (import-archive).
#pragma once

#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>

#include "tests/net/federation.hpp"

namespace ifex::test::net {

// Sets `key = value` in `[section]` of the node's ifexnode.toml (before it starts). `value` is
// TOML text: a number as is, a string quoted.
inline void set_config(const Node& node, const std::string& section, const std::string& key,
                       const std::string& value) {
  const fs::path file = fs::path(node.data()) / "ifexnode.toml";
  std::istringstream in(read_file(file));
  std::string out, line, current;
  bool done = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') {
      if (current == section && !done) {  // the key was absent: add it at the section's end
        out += key + " = " + value + "\n";
        done = true;
      }
      current = line.substr(1, line.find(']') - 1);
    } else if (current == section && line.rfind(key + " = ", 0) == 0) {
      line = key + " = " + value;
      done = true;
    }
    out += line + "\n";
  }
  if (current == section && !done) {
    out += key + " = " + value + "\n";
    done = true;
  }
  INFO(file << " has no [" << section << "] section");
  REQUIRE(done);
  write_file(file, out);
}

// ---- memory ----

struct Memory {
  std::uint64_t rss_kib = 0;   // VmRSS: resident now
  std::uint64_t peak_kib = 0;  // VmHWM: the most ever resident
};

inline Memory memory_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  Memory m;
  for (std::string line; std::getline(in, line);) {
    std::uint64_t kib = 0;
    if (std::sscanf(line.c_str(), "VmRSS: %lu kB", &kib) == 1) m.rss_kib = kib;
    if (std::sscanf(line.c_str(), "VmHWM: %lu kB", &kib) == 1) m.peak_kib = kib;
  }
  INFO("no memory figures for pid " << pid);
  REQUIRE(m.rss_kib > 0);
  return m;
}

inline double mib(std::uint64_t kib) { return static_cast<double>(kib) / 1024.0; }

// The running node's PID, from its status file.
inline pid_t node_pid(const Node& node) {
  std::int64_t pid = 0;
  for (int i = 0; i < 100 && pid == 0; ++i) {  // the status file appears within a second
    auto st = node.status();
    if (auto* p = st.if_contains("pid"); p && p->is_int64()) pid = p->as_int64();
    if (pid == 0) std::this_thread::sleep_for(poll_every);
  }
  INFO(node.name() << " never wrote its PID to its status file");
  REQUIRE(pid > 0);
  return static_cast<pid_t>(pid);
}

// ---- file descriptors ----

// Raises this process's open-file limit towards `want` (children inherit it: the nodes need it as
// much as the test does). Returns the limit now in force.
inline rlim_t raise_fd_limit(rlim_t want) {
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  if (lim.rlim_cur < want) {
    lim.rlim_cur = std::min(want, lim.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &lim);
    ::getrlimit(RLIMIT_NOFILE, &lim);
  }
  return lim.rlim_cur;
}

// ---- hostile_peer ----

// hostile_peer running in the background with one identity against one node. It is killed when
// this object goes (a failing test leaves nothing behind).
class HostileRun {
 public:
  HostileRun(const Federation& fed, const Node& identity, const Node& target,
             const std::string& scenario, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv{hostile_peer_bin(), "--data",   identity.data(),
                                  "--network-key",    fed.network_key(), "--url",
                                  target.url(),       "--expect", target.key(),
                                  "--scenario",       scenario};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process_ = std::make_unique<BackgroundProcess>(argv);
  }

  pid_t pid() const { return process_->pid(); }
  std::string out() const { return process_->out(); }
  void signal(int sig) { process_->kill(sig); }

  // Waits for the end (failing the test after `timeout`); returns the exit code.
  int wait(std::chrono::milliseconds timeout) {
    auto st = process_->wait_for(timeout);
    INFO(describe());
    REQUIRE(st.has_value());
    REQUIRE(st->signal == 0);
    return st->code;
  }
  // Polls its output until a line starts with `prefix` (failing after `timeout`).
  void wait_for_line(const std::string& prefix, std::chrono::milliseconds timeout) {
    const auto start = Clock::now();
    while (!line(prefix)) {
      INFO(describe());
      REQUIRE(Clock::now() - start < timeout);
      REQUIRE_FALSE(process_->wait_for(std::chrono::milliseconds(50)).has_value());
    }
  }

  // The text after "PREFIX " on the last line that starts with it.
  std::optional<std::string> line(const std::string& prefix) const {
    std::istringstream lines(process_->out());
    std::optional<std::string> found;
    for (std::string l; std::getline(lines, l);)
      if (l.rfind(prefix + " ", 0) == 0) found = l.substr(prefix.size() + 1);
    return found;
  }
  // A number printed as "PREFIX N"; fails the test when absent.
  std::uint64_t number(const std::string& prefix) const {
    auto text = line(prefix);
    INFO("hostile_peer printed no '" << prefix << "'\n" << describe());
    REQUIRE(text.has_value());
    return std::stoull(*text);
  }
  std::vector<std::string> all(const std::string& prefix) const {
    std::istringstream lines(process_->out());
    std::vector<std::string> found;
    for (std::string l; std::getline(lines, l);)
      if (l.rfind(prefix + " ", 0) == 0) found.push_back(l.substr(prefix.size() + 1));
    return found;
  }

  std::string describe() const {
    auto st = process_->status();
    return "hostile_peer (" + (st ? st->describe() : std::string("running")) +
           ")\nstdout:\n" + tail(process_->out()) + "\nstderr:\n" + tail(process_->err());
  }

 private:
  std::unique_ptr<BackgroundProcess> process_;
};

// ---- a backlog ----

// Writes a legacy-archive JSONL file (docs/operations.md, "Importing the legacy archive") of
// `count` valid alerts with bodies of about `body_bytes`, ids prefixed by `label`.
inline fs::path write_archive(const fs::path& dir, const std::string& label, std::size_t count,
                              std::size_t body_bytes) {
  const fs::path file = dir / (label + ".jsonl");
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  std::string body;
  while (body.size() < body_bytes) body += "A journalist was detained after a raid. ";
  for (std::size_t i = 1; i <= count; ++i) {
    out << "{\"legacy_id\": \"" << label << "-" << i << "\", \"date\": \"2020-01-"
        << (1 + i % 28 < 10 ? "0" : "") << 1 + i % 28
        << "\", \"country\": \"TN\", \"lang\": \"en\", \"categories\": [\"press-freedom\"], "
           "\"title\": \"Backlog alert "
        << label << " " << i << "\", \"summary\": \"Number " << i << ".\", \"body\": \"" << body
        << "\"}\n";
  }
  REQUIRE(out.good());
  return file;
}

// Imports an archive into the node's own log (works while the node runs: it picks the entries
// up from the store and gossips them). Returns how many were imported.
inline std::uint64_t import_archive(const Node& node, const fs::path& file) {
  auto report = ifexnode_json({"import-archive", "--data", node.data(), file.string(), "--json"});
  return num(report.at("imported"));
}

// One node's counter, as a printable line with the change since `before`.
inline std::string counter_line(const Node& node, const json::object& before,
                                const json::object& after, const std::string& name) {
  const auto a = Node::counter_in(after, name), b = Node::counter_in(before, name);
  return node.name() + "." + name + " = " + std::to_string(a) + " (+" +
         std::to_string(a >= b ? a - b : 0) + ")";
}

}  // namespace ifex::test::net
