#include "node/net/gossip_session.hpp"

#include <sodium.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "keys/key_text.hpp"
#include "node/base/log.hpp"
#include "node/base/wall_clock.hpp"
#include "protocol/entry_check.hpp"
#include "protocol/handshake.hpp"

namespace ifex {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::awaitable;
using asio::use_awaitable;
using std::chrono::milliseconds;

namespace {

// Thrown inside the handshake; the message is logged and counted, never sent to the peer.
struct HandshakeFailure {
  std::string reason;
  ConnectionProblem problem = ConnectionProblem::other;
};

// A handshake error of protocol/handshake.cpp as the cause an operator can act on.
ConnectionProblem problem_of(const Error& error) {
  if (error.code == "hs_network_key") return ConnectionProblem::network_key;
  if (error.code == "hs_server_proof") return ConnectionProblem::wrong_peer_key;
  return ConnectionProblem::other;
}

EphemeralKey fresh_ephemeral() {
  std::uint8_t seed[32];
  randombytes_buf(seed, sizeof seed);
  EphemeralKey key = EphemeralKey::from_seed({seed, sizeof seed});
  sodium_memzero(seed, sizeof seed);
  return key;
}

}  // namespace

GossipSession::GossipSession(NetContext& ctx, beast::tcp_stream stream, std::string address,
                             std::optional<PublicKey> expected)
    : ctx_(ctx),
      ws_(std::move(stream)),
      verify_strand_(asio::make_strand(ctx.verify_pool.get_executor())),
      address_(std::move(address)),
      expected_(expected),
      wake_writer_(ws_.get_executor()),
      wake_reader_(ws_.get_executor()),
      throttle_timer_(ws_.get_executor()),
      rate_(ctx.core.config().network.max_inbound_bytes_per_s,
            ctx.core.config().network.max_inbound_burst_bytes, InboundRate::Clock::now()) {}

GossipSession::~GossipSession() = default;

void GossipSession::start_inbound(NetContext& ctx, beast::tcp_stream stream, Request request,
                                  std::string address, ConnectionLimiter::Token slot) {
  auto session =
      std::make_shared<GossipSession>(ctx, std::move(stream), std::move(address), std::nullopt);
  session->slot_ = std::move(slot);
  // Until the handshake proves the peer's key, the limiter may close this connection to make
  // room for a newcomer (node/net/connection_limiter.hpp).
  session->slot_->on_evict([weak = std::weak_ptr<GossipSession>(session)] {
    if (auto s = weak.lock()) s->close("closed to make room: the handshake took too long");
  });
  asio::co_spawn(
      session->ws_.get_executor(),
      [session, request = std::move(request)]() mutable -> awaitable<void> {
        co_await session->run(std::move(request));
      },
      asio::detached);
}

awaitable<GossipSession::Ended> GossipSession::run_outbound(NetContext& ctx,
                                                            beast::tcp_stream stream,
                                                            std::string host, std::string path,
                                                            PublicKey expected,
                                                            std::string address) {
  auto session =
      std::make_shared<GossipSession>(ctx, std::move(stream), std::move(address), expected);
  session->host_ = std::move(host);
  session->path_ = std::move(path);
  Ended ended;
  ended.reason = co_await asio::co_spawn(session->ws_.get_executor(), session->run(std::nullopt),
                                         use_awaitable);
  ended.handshake_done = session->up_;
  ended.dropped_unheard = session->up_ && !session->heard_after_handshake_;
  co_return ended;
}

awaitable<std::string> GossipSession::run(std::optional<Request> request) {
  auto self = shared_from_this();
  const NetworkConfig& net = ctx_.core.config().network;
  ws_.binary(true);
  // Until the handshake is done nothing larger than its biggest message is legitimate.
  ws_.read_message_max(hs_auth_size);
  beast::get_lowest_layer(ws_).expires_never();  // the WebSocket's own timeouts apply instead
  if (net.socket_send_buffer_bytes > 0) {
    // Bounds the kernel memory a peer that stops reading can hold (see NetworkConfig).
    boost::system::error_code ignored;  // best effort: the node's own queue cap still applies
    beast::get_lowest_layer(ws_).socket().set_option(
        asio::socket_base::send_buffer_size(static_cast<int>(net.socket_send_buffer_bytes)),
        ignored);
  }
  websocket::stream_base::timeout timeouts;
  timeouts.handshake_timeout = milliseconds(net.handshake_timeout_ms);
  timeouts.idle_timeout = milliseconds(net.idle_timeout_ms);
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);

  // One deadline for the whole handshake: upgrade, four messages, stream headers.
  asio::steady_timer deadline(ws_.get_executor());
  deadline.expires_after(milliseconds(net.handshake_timeout_ms));
  deadline.async_wait([this, self](const boost::system::error_code& ec) {
    if (!ec && !up_) {
      close_reason_ = "handshake timed out";
      beast::get_lowest_layer(ws_).close();
    }
  });

  std::string failure;
  ConnectionProblem problem = ConnectionProblem::other;
  try {
    if (request) {
      co_await ws_.async_accept(*request, use_awaitable);
    } else {
      co_await ws_.async_handshake(host_, path_, use_awaitable);
    }
    co_await secret_handshake();
  } catch (const HandshakeFailure& f) {
    failure = f.reason;
    problem = f.problem;
  } catch (const boost::system::system_error& e) {
    failure = close_reason_.empty() ? e.code().message() : close_reason_;
    problem = close_reason_.empty() ? problem_of_silence() : ConnectionProblem::timeout;
  }
  deadline.cancel();
  if (!failure.empty()) {
    ctx_.core.counters().handshakes_failed++;
    log_debug("handshake with " + address_ + " failed: " + failure);
    report_handshake_problem(problem, failure);
    beast::get_lowest_layer(ws_).close();
    co_return "handshake failed: " + failure;
  }

  ws_.read_message_max(net.max_frame_bytes + frame_overhead);
  up_ = true;
  if (slot_) slot_->authenticated();
  id_ = ctx_.core.next_peer_id();
  ctx_.core.session_up(id_, peer_, expected_.has_value(), address_, self);
  asio::co_spawn(ws_.get_executor(), write_loop(), asio::detached);
  co_await read_loop();
  closing_ = true;
  wake_writer_.cancel();
  beast::get_lowest_layer(ws_).close();
  ctx_.core.session_down(id_, close_reason_);
  co_return close_reason_;
}

// A server drops a caller silently where telling it more would help a scanner: the step at
// which the peer went quiet says what it most likely refused.
ConnectionProblem GossipSession::problem_of_silence() const {
  if (!expected_) return ConnectionProblem::other;
  switch (stage_) {
    case Stage::hello_sent: return ConnectionProblem::network_key;
    case Stage::auth_sent: return ConnectionProblem::not_welcome;
    default: return ConnectionProblem::other;
  }
}

void GossipSession::report_handshake_problem(ConnectionProblem problem, const std::string& failure) {
  // The peer's place, without the port that changes with every attempt.
  std::string where = address_;
  if (!expected_) {
    if (auto colon = where.rfind(':'); colon != std::string::npos) where.resize(colon);
  }
  std::string who = expected_ ? "peer " + fingerprint(*expected_) + " at " + address_
                              : "a node at " + where;
  std::string likely;
  switch (problem) {
    case ConnectionProblem::network_key:
      likely = expected_ ? "it closed the connection after our hello: most likely it has a "
                           "different network key than ours"
                         : "its hello is not authenticated by our network key: most likely it "
                           "has a different network key (or it is not an ifexnode)";
      break;
    case ConnectionProblem::not_welcome:
      likely = expected_ ? "it closed the connection once we said who we are: most likely our "
                           "key is not on its roster (ask its operator to add it)"
                         : failure + " (add it with `roster add` or `peer add` if it belongs)";
      break;
    case ConnectionProblem::wrong_peer_key:
      likely = "the node answering there is not the key configured for this peer (" + failure +
               "): check the peer's URL and key";
      break;
    case ConnectionProblem::timeout:
      likely = "the handshake did not finish in time";
      break;
    default:
      likely = "the handshake failed: " + failure;
  }
  const std::string subject = expected_ ? fingerprint(*expected_)
                              : problem == ConnectionProblem::not_welcome ? fingerprint(peer_)
                                                                          : where;
  ctx_.core.connection_problem(problem, subject, "cannot connect with " + who + ": " + likely);
}

awaitable<Bytes> GossipSession::read_message() {
  beast::flat_buffer buffer;
  co_await ws_.async_read(buffer, use_awaitable);
  if (!ws_.got_binary()) throw HandshakeFailure{"the peer sent a text frame"};
  auto data = buffer.data();
  const auto* p = static_cast<const std::uint8_t*>(data.data());
  ctx_.core.counters().bytes_in += data.size();
  co_return Bytes(p, p + data.size());
}

awaitable<void> GossipSession::write_message(ByteView bytes) {
  co_await ws_.async_write(asio::buffer(bytes.data(), bytes.size()), use_awaitable);
  ctx_.core.counters().bytes_out += bytes.size();
}

awaitable<void> GossipSession::secret_handshake() {
  SessionKeys keys;
  if (expected_) {
    ClientHandshake hs(ctx_.network, ctx_.identity, *expected_, fresh_ephemeral());
    co_await write_message(hs.hello());
    stage_ = Stage::hello_sent;
    Bytes reply = co_await read_message();
    stage_ = Stage::other;
    auto auth = hs.on_reply(reply);
    if (!auth) throw HandshakeFailure{auth.error().message, problem_of(auth.error())};
    co_await write_message(*auth);
    stage_ = Stage::auth_sent;
    Bytes accept = co_await read_message();
    stage_ = Stage::other;
    auto done = hs.on_accept(accept);
    if (!done) throw HandshakeFailure{done.error().message, problem_of(done.error())};
    keys = std::move(*done);
  } else {
    ServerHandshake hs(ctx_.network, ctx_.identity, fresh_ephemeral());
    Bytes hello = co_await read_message();
    // A caller without our network key gets no answer at all.
    auto reply = hs.on_hello(hello);
    if (!reply) throw HandshakeFailure{reply.error().message, problem_of(reply.error())};
    co_await write_message(*reply);
    Bytes auth = co_await read_message();
    auto client = hs.on_auth(auth);
    if (!client) throw HandshakeFailure{client.error().message};
    if (!ctx_.core.is_welcome(*client)) {
      ctx_.core.counters().peers_refused++;
      peer_ = *client;  // authenticated: its warnings are its own, not its address's
      throw HandshakeFailure{"node " + fingerprint(*client) +
                                 " is neither a peer nor on the roster: refused",
                             ConnectionProblem::not_welcome};
    }
    auto [accept, done] = hs.accept();
    co_await write_message(accept);
    keys = std::move(done);
  }
  peer_ = keys.peer;
  auto [sealer, header] = FrameSealer::start(keys.send_key);
  sealer_.emplace(std::move(sealer));
  co_await write_message(header);
  Bytes their_header = co_await read_message();
  auto opener = FrameOpener::start(keys.recv_key, their_header);
  if (!opener) throw HandshakeFailure{opener.error().message};
  opener_.emplace(std::move(*opener));
}

// ---- after the handshake ----

void GossipSession::send(Bytes plaintext) {
  const std::size_t n = plaintext.size();
  const std::size_t queued = queued_bytes_.fetch_add(n) + n;
  if (queued > ctx_.core.config().network.max_pending_outbound_bytes) {
    // Sends may race past the cap before the close lands: count the peer once.
    if (dropping_slow_.exchange(true)) return;
    ctx_.core.counters().slow_peers_dropped++;
    close("the peer reads too slowly (" + std::to_string(queued) + " bytes queued)");
    return;
  }
  asio::post(ws_.get_executor(), [self = shared_from_this(), p = std::move(plaintext)]() mutable {
    if (self->closing_) return;
    self->queue_.push_back(std::move(p));
    self->wake_writer_.cancel();
  });
}

void GossipSession::close(std::string reason) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), reason = std::move(reason)] {
    if (self->closing_) return;
    self->closing_ = true;
    if (self->close_reason_.empty()) self->close_reason_ = reason;
    self->wake_writer_.cancel();
    self->wake_reader_.cancel();
    beast::get_lowest_layer(self->ws_).close();  // ends the read loop, which reports the close
  });
}

void GossipSession::fail(const std::string& reason) {
  ctx_.core.counters().protocol_errors++;
  log_warn("closing " + address_ + " (" + fingerprint(peer_) + "): " + reason);
  if (close_reason_.empty()) close_reason_ = reason;
  closing_ = true;
  beast::get_lowest_layer(ws_).close();
}

awaitable<void> GossipSession::write_loop() {
  auto self = shared_from_this();
  while (!closing_) {
    if (queue_.empty()) {
      wake_writer_.expires_at(asio::steady_timer::time_point::max());
      boost::system::error_code ec;
      co_await wake_writer_.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    Bytes plain = std::move(queue_.front());
    queue_.pop_front();
    Bytes frame = sealer_->seal(plain);
    boost::system::error_code ec;
    co_await ws_.async_write(asio::buffer(frame), asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (close_reason_.empty()) close_reason_ = "write failed: " + ec.message();
      beast::get_lowest_layer(ws_).close();
      co_return;
    }
    queued_bytes_ -= plain.size();
    ctx_.core.counters().bytes_out += frame.size();
    if (queue_.empty()) ctx_.core.link_drained(id_);
  }
}

awaitable<void> GossipSession::read_loop() {
  const NetworkConfig& net = ctx_.core.config().network;
  for (;;) {
    // Backpressure: stop reading while this peer's messages still wait to be verified.
    while (inflight_bytes_.load() > net.max_inflight_inbound_bytes && !closing_) {
      wake_reader_.expires_after(milliseconds(200));
      boost::system::error_code ec;
      co_await wake_reader_.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    if (closing_) co_return;
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    co_await ws_.async_read(buffer, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (close_reason_.empty())
        close_reason_ = ec == websocket::error::closed ? "closed by the peer"
                        : ec == websocket::error::message_too_big
                            ? "the peer sent a frame over the size limit"
                            : ec.message();
      if (ec == websocket::error::message_too_big) {
        ctx_.core.counters().protocol_errors++;
        log_warn("closing " + address_ + " (" + fingerprint(peer_) + "): " + close_reason_);
      }
      co_return;
    }
    auto data = buffer.data();
    ctx_.core.counters().bytes_in += data.size();
    if (!ws_.got_binary()) {
      fail("the peer sent a text frame");
      co_return;
    }
    auto plain = opener_->open({static_cast<const std::uint8_t*>(data.data()), data.size()});
    if (!plain) {
      fail("a frame failed authentication (altered, replayed or out of order)");
      co_return;
    }
    if (opener_->closed()) {  // the peer ended its stream cleanly
      if (close_reason_.empty()) close_reason_ = "closed by the peer";
      co_return;
    }
    heard_after_handshake_ = true;
    dispatch(std::move(*plain));
    if (closing_) co_return;
    if (!co_await keep_to_rate(data.size())) co_return;
  }
}

// Pauses reading while the peer is over its inbound rate; drops it (false) once it has been
// over it for throttle_disconnect_ms without a break.
awaitable<bool> GossipSession::keep_to_rate(std::size_t frame_bytes) {
  const NetworkConfig& net = ctx_.core.config().network;
  const auto now = InboundRate::Clock::now();
  const milliseconds wait = rate_.take(frame_bytes, now);
  if (wait.count() == 0) {
    throttled_since_.reset();
    co_return true;
  }
  if (!throttled_since_) {
    throttled_since_ = now;
    ctx_.core.counters().peers_throttled++;
    log_info("peer " + fingerprint(peer_) + " at " + address_ + " is over its inbound rate of " +
             std::to_string(net.max_inbound_bytes_per_s) + " bytes/s: reading it more slowly");
  }
  throttle_timer_.expires_after(wait);
  boost::system::error_code ec;
  co_await throttle_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
  if (closing_) co_return false;
  if (InboundRate::Clock::now() - *throttled_since_ >= milliseconds(net.throttle_disconnect_ms)) {
    ctx_.core.counters().peers_dropped_for_rate++;
    fail("stayed over the inbound rate limit of " + std::to_string(net.max_inbound_bytes_per_s) +
         " bytes/s for " + std::to_string(net.throttle_disconnect_ms) + " ms");
    co_return false;
  }
  co_return true;
}

// Decodes on the session strand; verifies on this session's verify strand, which also keeps
// the peer's messages in order on their way to the core.
void GossipSession::dispatch(Bytes plaintext) {
  GossipLimits limits;
  limits.max_message_bytes = ctx_.core.config().network.max_frame_bytes;
  limits.max_entry_bytes = ctx_.core.config().max_entry_bytes;
  auto message = decode_gossip(plaintext, limits);
  if (!message) {
    fail("malformed message: " + message.error().message);
    return;
  }
  const std::size_t size = plaintext.size();
  inflight_bytes_ += size;
  // The peer's read budget comes back when the last holder of this lets go: at once for
  // control messages, after the commit for entries (NodeCore keeps it with the queued batch).
  std::shared_ptr<void> inflight(this, [self = shared_from_this(), size](GossipSession*) {
    self->inflight_bytes_ -= size;
    asio::post(self->ws_.get_executor(), [self] { self->wake_reader_.cancel(); });
  });
  const NodeConfig& config = ctx_.core.config();
  asio::post(verify_strand_, [self = shared_from_this(), message = std::move(*message),
                              inflight = std::move(inflight),
                              entry_limits = EntryLimits{config.max_entry_bytes},
                              max_skew_ms = config.max_clock_skew_s * 1000]() mutable {
    NodeCore& core = self->ctx_.core;
    if (auto* entries = std::get_if<EntriesMsg>(&message)) {
      std::vector<SignedEntry> ok;
      std::size_t rejected = 0;
      std::size_t refused_future = 0;
      std::string first_error;
      const EntryCheckPolicy policy{entry_limits, ClockPolicy{wall_clock_ms(), max_skew_ms}};
      for (const Bytes& bytes : entries->entries) {
        EntryCheck check = check_entry(bytes, policy);
        switch (check.verdict) {
          case EntryVerdict::accepted:
            ok.push_back(std::move(*check.entry));
            break;
          case EntryVerdict::invalid:
            if (rejected++ == 0) first_error = check.error->message;
            break;
          case EntryVerdict::in_future:
            if (rejected == 0 && refused_future++ == 0) first_error = check.error->message;
            break;
        }
      }
      core.verified_entries(self->id_, entries->push, std::move(ok), rejected, first_error,
                            refused_future, std::move(inflight));
    } else if (auto* proof = std::get_if<ForkProofMsg>(&message)) {
      core.fork_proof_received(self->id_, std::move(proof->proof));
    } else {
      core.control_message(self->id_, std::move(message));
    }
  });
}

}  // namespace ifex
