// Connections that never finish the handshake, held open against a node from a background
// thread: plain TCP that says nothing, or a WebSocket upgrade to /gossip and then silence. While
// "refilling", every connection the node closes is replaced at once, so the node faces the full
// count for as long as the test needs (no timing assumption about when it checks its honest
// peers). Each connection's life, from connect to the node's close, is recorded.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ifex::test::net {

class HangingConnections {
 public:
  enum class Kind { silent, upgrade };

  struct Report {
    std::size_t opened = 0;             // connections made, refills included
    std::size_t refused_at_connect = 0; // connect() itself failed
    std::size_t closed_by_node = 0;
    std::size_t still_open = 0;         // when the report was made
    std::size_t upgrades_answered = 0;  // upgrade connections that got "101 Switching Protocols"
    std::vector<double> life_ms[2];     // per kind: connect to the node's close
  };

  // `source` is a loopback address of its own (127.0.0.2, ...), so the node's per-address limit
  // counts these connections apart from the honest peers' (127.0.0.1).
  HangingConnections(std::string source, int port);
  ~HangingConnections();
  HangingConnections(const HangingConnections&) = delete;
  HangingConnections& operator=(const HangingConnections&) = delete;

  // Opens `count` connections of each kind and starts watching them. With `refill`, each one the
  // node closes is replaced until stop_refilling().
  void start(std::size_t count_per_kind, bool refill);
  void stop_refilling();
  std::size_t open_now() const { return open_now_.load(); }
  // Waits until the node has closed every connection, or `deadline` passes; stops the thread.
  Report finish(std::chrono::milliseconds deadline);

 private:
  struct Conn {
    int fd = -1;
    Kind kind = Kind::silent;
    std::chrono::steady_clock::time_point opened;
    bool connected = false;
    bool answered = false;
  };
  void open_one(Kind kind);
  void run();
  void closed(Conn& c, bool by_node);

  std::string source_;
  int port_;
  std::vector<Conn> conns_;  // touched by the thread only, once started
  Report report_;            // likewise; read after the thread ends
  std::atomic<bool> refill_{false};
  std::atomic<bool> quit_{false};
  std::atomic<std::size_t> open_now_{0};
  std::chrono::steady_clock::time_point quit_at_;
  std::thread thread_;
};

}  // namespace ifex::test::net
