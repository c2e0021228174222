// The connection layer of hostile_peer (tests/net/hostile_peer.cpp): exit codes, a watchdog
// that bounds every blocking call, and one WebSocket connection that performs the real client
// handshake (protocol/handshake) and speaks encrypted frames (node/net/secure_frames). Blocking
// and single-threaded on purpose: a misbehaving client is easier to reason about in straight
// line code than in callbacks.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "keys/identity.hpp"
#include "node/net/secure_frames.hpp"
#include "protocol/gossip_messages.hpp"
#include "protocol/handshake.hpp"
#include "protocol/network_key.hpp"

namespace ifex::hostile {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// hostile_peer's exit status; the end-to-end tests check it (documented in hostile_peer.cpp).
enum Exit : int {
  expected = 0,
  usage = 2,
  setup_failed = 3,
  handshake_failed = 4,
  not_closed = 5,
  replay_accepted = 6,
  honest_closed = 7,
  protocol_surprise = 8,
};

// Prints "result: WHAT" and exits at once (no destructors: the watchdog may be mid-wait).
[[noreturn]] void finish(int code, const std::string& what);

// Milliseconds on the wall clock (what an entry's created_ms holds).
std::uint64_t wall_ms();

// Bounds a blocking operation: when the deadline passes, the socket is shut down (which ends any
// blocked read or write with an error) and expired() turns true, so the caller can tell a
// timeout from the peer closing.
class Watchdog {
 public:
  Watchdog();
  ~Watchdog();
  void arm(int fd, milliseconds timeout);
  void disarm();
  bool expired();

 private:
  void run();
  std::mutex mutex_;
  std::condition_variable cv_;
  int fd_ = -1;
  Clock::time_point deadline_;
  bool armed_ = false;
  bool expired_ = false;
  bool quit_ = false;
  std::thread thread_;
};

struct Url {
  std::string host;
  std::string port;
  std::string path;
};
Url parse_url(const std::string& text);  // ws://HOST:PORT/PATH; exits with `usage` otherwise

// Socket buffer sizes to ask for before connecting (0: the kernel's default). Small buffers make
// what the client observes (its send rate, what it reads) close to what the node does, instead
// of what the kernel absorbed.
struct SocketBuffers {
  int receive = 0;
  int send = 0;
};

// One connection: the WebSocket, the handshake and the encrypted frames. Every failure of the
// setup exits the process with the matching code.
class Connection {
 public:
  // `gossip_offer`: the Sec-WebSocket-Protocol offer ("ifex-gossip.3"); none by default, so the
  // connection speaks version 1.
  Connection(boost::asio::io_context& ioc, const Url& url, Watchdog& watchdog,
             milliseconds timeout, SocketBuffers buffers = {}, std::string gossip_offer = {});

  void arm() { arm(timeout_); }
  void arm(milliseconds t) { watchdog_.arm(fd(), t); }
  void disarm() { watchdog_.disarm(); }
  bool watchdog_expired() { return watchdog_.expired(); }
  int fd() { return ws_.next_layer().native_handle(); }

  boost::system::error_code write(ByteView bytes);
  // A whole message, or nullopt when the connection ended (or the watchdog fired).
  std::optional<Bytes> read();
  const std::string& last_error() const { return last_error_; }

  // Client side of ifex-hs/1; records what we sent. Exits on any failure.
  SessionKeys handshake(const NetworkKey& network, const Identity& me, const PublicKey& server);
  // Stream headers both ways, then the server's first message, which must be its clock (or, in
  // version 3, the first part of it).
  void start_frames(const SessionKeys& keys, const GossipLimits& limits);
  // Only the stream headers, both ways.
  void exchange_headers(const SessionKeys& keys);
  // Reads and opens one gossip message; nullopt when the connection ended (or the server's
  // FINAL frame arrived: saw_final()). Exits when the server's frame does not open or decode
  // (the server never sends such frames).
  std::optional<GossipMessage> read_message(const GossipLimits& limits);

  Bytes seal(const GossipMessage& message) { return sealer_->seal(encode_gossip(message, GossipVersion::v1)); }
  Bytes seal_final() { return sealer_->seal_final(); }
  Bytes seal_bytes(ByteView plaintext) { return sealer_->seal(plaintext); }

  // Reads until the connection ends; true when the server ended it, false when the watchdog
  // fired first.
  bool wait_for_close(const GossipLimits& limits, milliseconds timeout);
  void close_cleanly();

  // Raw bytes from the socket, below the WebSocket layer, for a client that stops speaking the
  // protocol (the slow reader). Bytes the WebSocket had already buffered are not seen again. An
  // error (end of stream included) means the connection ended.
  std::size_t read_raw(std::uint8_t* out, std::size_t max, boost::system::error_code& ec);

  // How the server ended the connection: its FINAL frame, and the code and reason of its
  // WebSocket close frame (code 0: none arrived, the TCP connection just ended).
  bool saw_final() const { return saw_final_; }
  int close_code() const { return close_code_; }
  const std::string& close_reason() const { return close_reason_; }
  // "close-code N", "close-reason R" and "final yes|no" lines on stdout, for the tests.
  void print_close() const;

  const Bytes& hello() const { return hello_; }
  const Bytes& auth() const { return auth_; }

 private:
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  Watchdog& watchdog_;
  milliseconds timeout_;
  std::optional<FrameSealer> sealer_;
  std::optional<FrameOpener> opener_;
  Bytes hello_;
  Bytes auth_;
  std::string last_error_;
  bool saw_final_ = false;
  int close_code_ = 0;
  std::string close_reason_;
};

}  // namespace ifex::hostile
