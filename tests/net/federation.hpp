// A federation of real `ifexnode run` processes on loopback for the end-to-end network tests.
//
// Federation makes nodes sharing one network key (each in its own data dir under one temporary
// directory), wires roster and peers through the command line, starts, stops, kill -9s and
// restarts them, publishes through the CLI, and waits for conditions with deadlines: it polls
// `list --json` / `status --json` every 100 ms and, on timeout, fails with every node's log.
//
// Every process is a BackgroundProcess, so each node is killed and reaped when the Federation
// goes out of scope, whether the test passed or a REQUIRE threw. Not thread-safe.
#pragma once

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli/cli_fixture.hpp"

namespace ifex::test::net {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace json = boost::json;

// How long a condition may take before the test fails: generous for loaded CI machines, still far
// below anything a working node needs on loopback (convergence takes well under a second).
inline constexpr std::chrono::milliseconds default_deadline = 30s;
inline constexpr std::chrono::milliseconds poll_every = 100ms;

// ---- ports ----

// Listening ports for the nodes, handed out once per test process. They come from below the
// kernel's ephemeral range (so no outgoing connection can take one while its node is down for a
// restart), start at an offset derived from the PID (so concurrent test runs rarely meet), and
// are checked free by binding them. A port taken between the check and the node's own bind is
// handled by Federation::start_all, which moves the node to another port and retries.
inline int free_port() {
  static std::atomic<int> next{[] {
    int low = 32768;
    std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
    if (int l = 0; range >> l && l > 12000) low = l;
    const int first = 10000, span = low - first - 500;
    return first + static_cast<int>((::getpid() * 131L) % span);
  }()};
  for (int attempts = 0; attempts < 2000; ++attempts) {
    int port = next.fetch_add(1);
    if (port >= 32000) {  // wrapped: start over low in the range
      next = 10000;
      port = next.fetch_add(1);
    }
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // as the node binds
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (ok) return port;
  }
  FAIL("no free TCP port on 127.0.0.1");
  return -1;
}

// A JSON number as an unsigned count (the CLI prints counts as int64 or uint64).
inline std::uint64_t num(const json::value& v) {
  if (v.is_uint64()) return v.as_uint64();
  REQUIRE(v.is_int64());
  REQUIRE(v.as_int64() >= 0);
  return static_cast<std::uint64_t>(v.as_int64());
}

// The last `max` bytes of a log, for failure messages.
inline std::string tail(const std::string& text, std::size_t max = 6000) {
  if (text.size() <= max) return text;
  return "[... " + std::to_string(text.size() - max) + " bytes cut ...]\n" +
         text.substr(text.size() - max);
}

inline std::string hostile_peer_bin() {
  if (const char* bin = std::getenv("IFEX_HOSTILE_PEER_BIN"); bin && *bin) return bin;
#ifdef IFEX_HOSTILE_PEER_DEFAULT
  return IFEX_HOSTILE_PEER_DEFAULT;
#else
  throw std::runtime_error("IFEX_HOSTILE_PEER_BIN is not set");
#endif
}

// ---- crash safety ----

// PIDs of the running nodes, for the fatal-signal handler below: a crash or a Ctrl-C of the test
// process skips every destructor, and would leave the nodes running for ever.
inline std::array<std::atomic<pid_t>, 256> live_node_pids{};

inline void remember_pid(pid_t pid) {
  for (auto& slot : live_node_pids) {
    pid_t empty = 0;
    if (slot.compare_exchange_strong(empty, pid)) return;
  }
}
inline void forget_pid(pid_t pid) {
  for (auto& slot : live_node_pids) {
    pid_t expected = pid;
    if (slot.compare_exchange_strong(expected, 0)) return;
  }
}

extern "C" inline void kill_nodes_on_fatal_signal(int sig) {
  for (auto& slot : live_node_pids)
    if (pid_t pid = slot.load(); pid > 0) ::kill(pid, SIGKILL);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// Installed before main: Catch2 installs its own handlers around each test case, and after
// reporting a fatal signal restores these and raises the signal again, so both run.
inline const bool fatal_signal_handler_installed = [] {
  for (int sig : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGINT, SIGTERM}) {
    struct sigaction sa {};
    sa.sa_handler = kill_nodes_on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_ONSTACK;
    ::sigaction(sig, &sa, nullptr);
  }
  return true;
}();

// ---- one node ----

class Node {
 public:
  Node(std::string name, const fs::path& root, const std::string& network_key)
      : name_(std::move(name)), data_((root / name_).string()), network_key_(network_key) {
    port_ = free_port();
    std::vector<std::string> args{"init", "--data", data_,      "--name",
                                  name_,  "--json", "--listen", listen()};
    if (!network_key_.empty()) args.insert(args.end(), {"--network-key", network_key_});
    key_ = str(ifexnode_json(args).at("public_key"));
    if (network_key_.empty())
      network_key_ = trim(ifexnode_ok({"network-key", "show", "--data", data_}));
  }
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  ~Node() { drop_process(); }

  const std::string& name() const { return name_; }
  const std::string& data() const { return data_; }
  const std::string& key() const { return key_; }
  const std::string& network_key() const { return network_key_; }
  int port() const { return port_; }
  std::string listen() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string url() const { return "ws://" + listen() + "/gossip"; }

  // ---- process ----

  bool running() {
    if (!process_) return false;
    process_->wait_for(0ms);  // reaps it if it ended
    if (process_->status()) forget_pid(process_->pid());
    return !process_->status().has_value();
  }
  // True once the process has been started and has not been stopped or killed by the test.
  bool meant_to_run() const { return meant_to_run_; }

  enum class Start { listening, port_taken };

  // Starts `ifexnode run` and waits until it listens. A port taken by someone else is reported
  // (the caller may move the node); any other early exit fails the test with the log.
  Start start() {
    REQUIRE_FALSE(running());
    archive_log();
    process_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{ifexnode_bin(), "run", "--data", data_, "--listen", listen()},
        ProcessOptions{"", {{"IFEXNODE_PASSPHRASE_FILE", std::nullopt}}});
    remember_pid(process_->pid());
    meant_to_run_ = true;
    const auto deadline = Clock::now() + 15s;
    for (;;) {
      const std::string err = process_->err();
      if (err.find("listening on") != std::string::npos) return Start::listening;
      if (auto st = process_->wait_for(20ms)) {
        forget_pid(process_->pid());
        meant_to_run_ = false;
        const std::string log = process_->err();
        if (log.find("cannot listen") != std::string::npos &&
            log.find("in use") != std::string::npos)
          return Start::port_taken;
        FAIL(name_ << ": `ifexnode run` exited (" << st->describe() << ") before listening:\n"
                   << log);
      }
      if (Clock::now() > deadline)
        FAIL(name_ << ": `ifexnode run` did not listen within 15 s:\n" << process_->err());
    }
  }
  // Starts, failing the test when the port was taken (peers already know this URL).
  void restart() {
    if (start() == Start::port_taken)
      FAIL(name_ << ": port " << port_ << " was taken by another program while the node was down");
  }
  // SIGTERM; the node must exit cleanly (status 0) within 10 s.
  void stop() {
    REQUIRE(running());
    meant_to_run_ = false;
    process_->kill(SIGTERM);
    auto st = process_->wait_for(10s);
    if (st) forget_pid(process_->pid());
    if (!st) {
      drop_process();
      FAIL(name_ << ": did not stop within 10 s of SIGTERM:\n" << tail(past_logs_));
    }
    INFO(name_ << " log:\n" << tail(process_->err()));
    CHECK(st->success());
  }
  void kill9() {
    REQUIRE(running());
    meant_to_run_ = false;
    process_->kill(SIGKILL);
    auto st = process_->wait_for(10s);
    REQUIRE(st);
    forget_pid(process_->pid());
    REQUIRE(st->signal == SIGKILL);
  }
  // Everything the node logged, over all its runs.
  std::string log() const {
    std::string all = past_logs_;
    if (process_) all += process_->err();
    return all;
  }
  // Moves the node to a fresh port (only while stopped; the Federation rewires its dialers).
  void move_port() {
    REQUIRE_FALSE(running());
    port_ = free_port();
  }

  // ---- the command line ----

  // Publishes a valid alert with the given title; returns its id.
  std::string publish(const std::string& title) {
    auto out = ifexnode_json({"publish", "--data", data_, "--lang", "en", "--country", "TN",
                              "--category", "press-freedom", "--title", title, "--summary",
                              "summary of " + title, "--body", "body of " + title, "--json"});
    std::string id = str(out.at("id"));
    published_.push_back(id);
    return id;
  }
  const std::vector<std::string>& published() const { return published_; }

  // `list --json`, all entries (optionally of one author).
  json::array list(const std::string& author = "") const {
    std::vector<std::string> args{"list", "--data", data_, "--json", "--limit", "1000000"};
    if (!author.empty()) args.insert(args.end(), {"--author", author});
    auto v = ifexnode_json(args);
    REQUIRE(v.is_array());
    return v.as_array();
  }
  // The ids `list` shows. Fails the test if one appears twice.
  std::set<std::string> ids(const std::string& author = "") const {
    std::set<std::string> out;
    for (const auto& e : list(author)) {
      std::string id = str(e.at("id"));
      INFO(name_ << " lists entry " << id << " twice");
      REQUIRE(out.insert(id).second);
    }
    return out;
  }
  json::object status() const {
    // Exit 3 is "not running" (docs/operations.md); the JSON is printed either way.
    const std::vector<std::string> args{"status", "--data", data_, "--json"};
    ProcessResult r = ifexnode(args);
    INFO(describe(args, r));
    REQUIRE((r.status.code == 0 || r.status.code == 3));
    auto v = parse_json(r.out);
    REQUIRE(v.is_object());
    return v.as_object();
  }
  // One counter of the running node (0 when it is not running or has not written it yet).
  std::uint64_t counter(const std::string& name) const { return counter_in(status(), name); }
  static std::uint64_t counter_in(const json::object& status, const std::string& name) {
    auto* counters = status.if_contains("counters");
    if (!counters || !counters->is_object()) return 0;
    auto* c = counters->as_object().if_contains(name);
    if (!c) return 0;
    return num(*c);
  }
  // author key -> head seq, from the store (status --json "clocks").
  std::map<std::string, std::uint64_t> clocks() const {
    std::map<std::string, std::uint64_t> out;
    const json::object st = status();  // kept alive: the loop walks into it
    for (const auto& c : st.at("clocks").as_array()) {
      const auto& o = c.as_object();
      out[str(o.at("author"))] = num(o.at("seq"));
    }
    return out;
  }
  // This node's view of the peer with `key` in status --json, or null.
  static const json::object* peer_in(const json::object& status, const std::string& key) {
    auto* peers = status.if_contains("peers");
    if (!peers || !peers->is_array()) return nullptr;
    for (const auto& p : peers->as_array())
      if (p.is_object() && p.as_object().if_contains("public_key") &&
          p.as_object().at("public_key") == json::value(key))
        return &p.as_object();
    return nullptr;
  }

  void roster_add(const Node& other) {
    ifexnode_ok({"roster", "add", "--data", data_, other.key(), "--name", other.name()});
  }
  void roster_add_key(const std::string& key, const std::string& name) {
    ifexnode_ok({"roster", "add", "--data", data_, key, "--name", name});
  }
  void peer_add(const std::string& url, const std::string& key) {
    ifexnode_ok({"peer", "add", "--data", data_, url, key});
  }
  void peer_remove(const std::string& key) {
    ifexnode_ok({"peer", "remove", "--data", data_, key});
  }
  // `ifexnode verify` passes: every signature, chain link and index checks out.
  void verify() const {
    auto v = ifexnode_json({"verify", "--data", data_, "--json"});
    INFO(name_ << ": " << json::serialize(v));
    REQUIRE(v.at("ok") == json::value(true));
  }

 private:
  static std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
  }
  void archive_log() {
    if (!process_) return;
    process_->wait_for(0ms);
    const std::string how =
        process_->status() ? process_->status()->describe() : std::string("still running");
    drop_process();
    past_logs_ += "---- (" + how + "; restarted) ----\n";
  }
  // Kills (if still running) and reaps the process, keeping its log.
  void drop_process() {
    if (!process_) return;
    const pid_t pid = process_->pid();
    if (!process_->status()) {
      process_->kill(SIGKILL);
      process_->wait_for(10s);
    }
    forget_pid(pid);
    past_logs_ += process_->err();
    process_.reset();
  }

  std::string name_;
  std::string data_;
  std::string network_key_;
  std::string key_;
  int port_ = 0;
  std::unique_ptr<BackgroundProcess> process_;
  bool meant_to_run_ = false;
  std::string past_logs_;
  std::vector<std::string> published_;
};

// ---- a federation ----

class Federation {
 public:
  // A new network key is made by the first node added (or use `network_key`).
  explicit Federation(std::string label = "fed", std::string network_key = "")
      : dir_(label), network_key_(std::move(network_key)) {}
  Federation(const Federation&) = delete;
  Federation& operator=(const Federation&) = delete;
  ~Federation() {
    // Kill everything first: nodes_ go before dir_ anyway, this only makes the order explicit.
    nodes_.clear();
  }

  const fs::path& dir() const { return dir_.path(); }
  const std::string& network_key() const { return network_key_; }

  // A node of this federation (same network key), or of another network when `foreign_key` is
  // given ("new" makes a fresh key).
  Node& add(const std::string& name, std::optional<std::string> foreign_key = std::nullopt) {
    std::string key = foreign_key ? (*foreign_key == "new" ? "" : *foreign_key) : network_key_;
    nodes_.push_back(std::make_unique<Node>(name, dir_.path(), key));
    if (!foreign_key && network_key_.empty()) network_key_ = nodes_.back()->network_key();
    return *nodes_.back();
  }
  // Every node in `members` accepts every other's entries (the federation's roster).
  void roster_all(const std::vector<Node*>& members) {
    for (Node* a : members)
      for (Node* b : members)
        if (a != b) a->roster_add(*b);
  }
  // `from` dials `to` (and `to` accepts it: it is on `to`'s roster or peer list).
  void dial(Node& from, Node& to) {
    from.peer_add(to.url(), to.key());
    edges_.push_back({&from, &to});
  }

  // Starts the given nodes (all when empty) and waits until each listens. A node whose port was
  // taken meanwhile is moved to another port and its dialers rewired, then all start again.
  void start_all(std::vector<Node*> which = {}) {
    if (which.empty())
      for (auto& n : nodes_) which.push_back(n.get());
    for (int attempt = 1;; ++attempt) {
      std::vector<Node*> moved;
      for (Node* n : which)
        if (n->start() == Node::Start::port_taken) moved.push_back(n);
      if (moved.empty()) return;
      INFO("attempt " << attempt << ": ports taken under " << moved.size() << " node(s)");
      REQUIRE(attempt < 4);
      for (Node* n : which)
        if (n->running()) n->stop();
      for (Node* n : moved) {
        n->move_port();
        for (auto& [from, to] : edges_)
          if (to == n) {
            from->peer_remove(n->key());
            from->peer_add(n->url(), n->key());
          }
      }
    }
  }
  void stop_all() {
    for (auto& n : nodes_)
      if (n->running()) n->stop();
  }

  // Fails the test when a node the test started has died on its own.
  void require_alive() {
    for (auto& n : nodes_)
      if (n->meant_to_run() && !n->running()) FAIL(n->name() << " died on its own\n" << report());
  }

  // Every node's log (tail) and status, for failure messages.
  std::string report() const {
    std::ostringstream out;
    for (const auto& n : nodes_) {
      out << "======== " << n->name() << " (" << n->listen() << ", "
          << (n->meant_to_run() ? "should be running" : "stopped") << ") ========\n"
          << tail(n->log());
      try {
        out << "status: " << json::serialize(n->status()) << "\n";
      } catch (...) {
        out << "(status unavailable)\n";
      }
    }
    return out.str();
  }

  // Polls `condition` every 100 ms until it holds; fails with every node's log after `deadline`.
  // `describe`, when given, says what was seen last.
  template <class Condition>
  void wait_until(const std::string& what, Condition condition,
                  std::chrono::milliseconds deadline = default_deadline,
                  std::function<std::string()> describe = {}) {
    const auto start = Clock::now();
    for (;;) {
      require_alive();
      if (condition()) return;
      if (Clock::now() - start > deadline) {
        std::string seen = describe ? "\nlast seen: " + describe() : "";
        FAIL("timed out after " << deadline.count() << " ms waiting for: " << what << seen << "\n"
                                << report());
      }
      std::this_thread::sleep_for(poll_every);
    }
  }

  // Waits until every node in `nodes` holds every id in `expected`, then requires that they hold
  // nothing else of those authors: no entry missing, none extra, none twice.
  void wait_all_have(const std::vector<Node*>& nodes, const std::set<std::string>& expected,
                     std::chrono::milliseconds deadline = default_deadline) {
    std::string last;
    for (Node* n : nodes) {
      wait_until(
          n->name() + " holds all " + std::to_string(expected.size()) + " entries",
          [&] {
            auto ids = n->ids();
            std::size_t missing = 0;
            for (const auto& id : expected) missing += ids.count(id) == 0;
            last = std::to_string(missing) + " missing of " + std::to_string(expected.size());
            return missing == 0;
          },
          deadline, [&] { return last; });
    }
  }

  // All ids published (through Node::publish) by the given nodes.
  static std::set<std::string> published_by(const std::vector<Node*>& nodes) {
    std::set<std::string> out;
    for (Node* n : nodes) out.insert(n->published().begin(), n->published().end());
    return out;
  }

 private:
  TempDir dir_;
  std::string network_key_;
  std::vector<std::unique_ptr<Node>> nodes_;  // after dir_: destroyed (killed) before it
  std::vector<std::pair<Node*, Node*>> edges_;
};

}  // namespace ifex::test::net
