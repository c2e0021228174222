// GossipSession: one WebSocket connection to another node, from the handshake to the close.
// Runs on its own strand; reads frames, decrypts and decodes them, hands entries to a verify
// strand on the pool and everything in arrival order to the core. Writes are one at a time from
// a queue bounded in bytes (a peer that reads too slowly is dropped, never buffered without end).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "node/net/connection_problems.hpp"
#include "node/net/inbound_rate.hpp"
#include "node/net/net_context.hpp"
#include "node/net/peer_link.hpp"
#include "node/net/secure_frames.hpp"

namespace ifex {

class GossipSession : public PeerLink, public std::enable_shared_from_this<GossipSession> {
 public:
  using WebSocket = boost::beast::websocket::stream<boost::beast::tcp_stream>;
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  // Inbound: the HTTP upgrade request was read from `stream`.
  static void start_inbound(NetContext& ctx, boost::beast::tcp_stream stream, Request request,
                            std::string address, ConnectionLimiter::Token slot);
  // How an outbound session ended.
  struct Ended {
    std::string reason;         // "" after a clean close by us
    bool handshake_done = false;
    // The peer closed after the handshake without sending one message: what a node does to a
    // second connection of a key it already has (NodeCore::session_up).
    bool dropped_unheard = false;
  };
  // Outbound: a connected stream to a peer we expect to hold `expected`. Completes when the
  // connection ends.
  static boost::asio::awaitable<Ended> run_outbound(NetContext& ctx,
                                                          boost::beast::tcp_stream stream,
                                                          std::string host, std::string path,
                                                          PublicKey expected,
                                                          std::string address);

  GossipSession(NetContext& ctx, boost::beast::tcp_stream stream, std::string address,
                std::optional<PublicKey> expected);
  ~GossipSession() override;

  // PeerLink
  void send(Bytes plaintext) override;
  void close(std::string reason) override;
  std::size_t queued_bytes() const override { return queued_bytes_.load(); }

 private:
  boost::asio::awaitable<std::string> run(std::optional<Request> request);
  boost::asio::awaitable<void> secret_handshake();
  ConnectionProblem problem_of_silence() const;
  void report_handshake_problem(ConnectionProblem problem, const std::string& failure);
  boost::asio::awaitable<Bytes> read_message();
  boost::asio::awaitable<void> write_message(ByteView bytes);
  boost::asio::awaitable<void> write_loop();
  boost::asio::awaitable<void> read_loop();
  boost::asio::awaitable<bool> keep_to_rate(std::size_t frame_bytes);
  void dispatch(Bytes plaintext);
  void fail(const std::string& reason);

  NetContext& ctx_;
  WebSocket ws_;
  boost::asio::strand<boost::asio::thread_pool::executor_type> verify_strand_;
  std::string address_;
  std::optional<PublicKey> expected_;  // set for outbound sessions
  std::string host_;                   // outbound: for the WebSocket upgrade request
  std::string path_;
  PublicKey peer_;
  PeerId id_ = 0;
  bool up_ = false;
  std::optional<FrameSealer> sealer_;
  std::optional<FrameOpener> opener_;
  std::deque<Bytes> queue_;
  std::atomic<std::size_t> queued_bytes_{0};
  std::atomic<std::size_t> inflight_bytes_{0};
  std::atomic<bool> dropping_slow_{false};
  boost::asio::steady_timer wake_writer_;
  boost::asio::steady_timer wake_reader_;
  boost::asio::steady_timer throttle_timer_;
  InboundRate rate_;
  std::optional<InboundRate::Clock::time_point> throttled_since_;  // over the rate without a break
  std::string close_reason_;
  bool heard_after_handshake_ = false;  // a message arrived after the handshake
  // Outbound: where the handshake waits for the server (its silence there says why it refused).
  enum class Stage { other, hello_sent, auth_sent } stage_ = Stage::other;
  bool closing_ = false;
  ConnectionLimiter::Token slot_;
};

}  // namespace ifex
