// The stream-independent half of a gossip session: what GossipSession<Stream>
// (gossip_session_impl.hpp) shares whatever its stream, compiled once in gossip_session.cpp.
// Internal to node/net: included by the session's own files only. No Beast WebSocket code.
#pragma once

#include <atomic>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "node/net/connection_problems.hpp"
#include "node/net/inbound_rate.hpp"
#include "node/net/net_context.hpp"
#include "node/net/peer_link.hpp"
#include "node/net/secure_frames.hpp"
#include "node/net/session_close.hpp"
#include "protocol/gossip_messages.hpp"
#include "protocol/handshake.hpp"

namespace ifex {

// Why a handshake did not finish: a value, handled in one place (GossipSession::run). Logged
// and counted, never sent to the peer.
struct HandshakeFailure {
  std::string reason;
  ConnectionProblem problem = ConnectionProblem::other;
  // We refused the peer (it is not an I/O error or a timeout): the stream is still usable, so
  // the peer gets a bare close 1008 (docs/protocol.md, "Closing a connection").
  bool refused = false;
};

// How long a closing session may take, from the decision to the closed socket, whatever the
// peer does: FINAL, close frame, half-close and the lingering read all fit in it.
inline constexpr std::chrono::milliseconds closing_time{1000};
// What the lingering read after a close frame takes from the peer at most.
inline constexpr std::size_t max_linger_bytes = 16 * 1024;

// The stream-independent half of a session: identity, counters, the handshake's diagnosis and
// the verify step. Members are the strand's, except the atomics.
class SessionBase : public PeerLink {
 public:
  std::size_t queued_bytes() const override { return queued_bytes_.load(); }
  GossipVersion gossip_version() const override { return version_; }

 protected:
  SessionBase(NetContext& ctx, std::string address, std::optional<PublicKey> expected);

  static ConnectionProblem problem_of(const Error& handshake_error);
  static EphemeralKey fresh_ephemeral();
  // A handshake error of protocol/handshake.cpp, as the failure we refuse the peer with.
  static HandshakeFailure refusal(const Error& error) {
    return {error.message, problem_of(error), true};
  }
  // The handshake's I/O failed with `ec`: what that most likely means.
  HandshakeFailure io_failure(const boost::system::error_code& ec) const;
  ConnectionProblem problem_of_silence() const;
  void report_handshake_problem(ConnectionProblem problem, const std::string& failure);
  // A hello whose EA was seen within the handshake timeout (server only): refused unanswered,
  // as a hello with a wrong MAC is.
  std::optional<HandshakeFailure> check_fresh_hello(const EphemeralPublic& ea);
  // The ClientHandshake/ServerHandshake verdict once the peer's key is known (server only).
  std::optional<HandshakeFailure> check_welcome(const PublicKey& client);
  // Verifies entries (on the verify strand) and hands the message to the core.
  void deliver(GossipMessage message, std::shared_ptr<void> inflight);
  GossipLimits gossip_limits() const;
  // Records the end the peer is told about; the first decision wins.
  bool decide_close(Ending ending, std::string wire_reason, std::string log_reason);

  NetContext& ctx_;
  boost::asio::strand<boost::asio::thread_pool::executor_type> verify_strand_;
  std::string address_;
  std::optional<PublicKey> expected_;  // set for outbound sessions
  std::string host_;                   // outbound: for the WebSocket upgrade request
  std::string path_;
  PublicKey peer_;
  // Agreed in the upgrade, before session_up; only read after it (the core's post orders it).
  GossipVersion version_ = GossipVersion::v1;
  PeerId id_ = 0;
  bool up_ = false;
  std::optional<FrameSealer> sealer_;
  std::optional<FrameOpener> opener_;
  std::atomic<std::size_t> queued_bytes_{0};
  std::atomic<std::size_t> inflight_bytes_{0};
  std::atomic<bool> dropping_slow_{false};
  InboundRate rate_;
  std::optional<InboundRate::Clock::time_point> throttled_since_;  // over the rate without a break
  std::string close_reason_;                                       // for our log and the core
  bool heard_after_handshake_ = false;  // a message arrived after the handshake
  // Outbound: where the handshake waits for the server (its silence there says why it refused).
  enum class Stage { other, hello_sent, auth_sent } stage_ = Stage::other;
  bool closing_ = false;
  Ending ending_ = Ending::drop;
  std::string wire_reason_;  // sanitized
  ConnectionLimiter::Token slot_;
};

}  // namespace ifex
