// The gossip session as a template on its byte stream (Beast's advanced server-flex shape):
// GossipSession<Stream> runs a WebSocket over any Stream whose lowest layer is a
// beast::tcp_stream (plain TCP today; ssl_stream<tcp_stream>, a SOCKS5 or proxy stream later).
// The stream-independent half lives in SessionBase (gossip_session.cpp).
//
// Include this header ONLY from a file that instantiates the template for one stream
// (gossip_session_plain.cpp does beast::tcp_stream): it pulls in all of Beast's WebSocket code,
// and each instantiation is the slowest part of the build. Everyone else includes
// gossip_session.hpp and calls its factories.
//
// Threads: a session lives on its stream's strand; every member below is touched only there,
// except the atomics of SessionBase (send() and queued_bytes() run on any thread).
#pragma once

#include <sodium.h>

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "keys/key_text.hpp"
#include "node/base/log.hpp"
#include "node/net/gossip_session.hpp"
#include "node/net/gossip_session_base.hpp"
#include "node/net/gossip_version_header.hpp"
#include "node/net/inbound_rate.hpp"
#include "node/net/peer_link.hpp"
#include "node/net/secure_frames.hpp"
#include "node/net/session_close.hpp"
#include "protocol/gossip_messages.hpp"
#include "protocol/handshake.hpp"

namespace ifex {

template <class Stream>
class GossipSession final : public SessionBase,
                            public std::enable_shared_from_this<GossipSession<Stream>> {
 public:
  using WebSocket = boost::beast::websocket::stream<Stream>;

  GossipSession(NetContext& ctx, Stream stream, std::string address,
                std::optional<PublicKey> expected);

  // The factories of gossip_session.hpp, for this stream.
  static void start_inbound(NetContext& ctx, Stream stream, GossipRequest request,
                            std::string address, ConnectionLimiter::Token slot);
  static boost::asio::awaitable<SessionEnded> run_outbound(NetContext& ctx, Stream stream,
                                                           std::string host, std::string path,
                                                           PublicKey expected, std::string address);

  // PeerLink
  void send(Bytes plaintext) override;
  void close(CloseCause cause, std::string reason, std::string code) override;

 private:
  boost::asio::awaitable<std::string> run(std::optional<GossipRequest> request);
  boost::asio::awaitable<std::optional<HandshakeFailure>> handshake(
      std::optional<GossipRequest> request);
  boost::asio::awaitable<std::optional<HandshakeFailure>> secret_handshake();
  boost::asio::awaitable<std::optional<HandshakeFailure>> read_message(Bytes& out);
  boost::asio::awaitable<std::optional<HandshakeFailure>> write_message(ByteView bytes);
  boost::asio::awaitable<void> write_loop();
  boost::asio::awaitable<void> read_loop();
  boost::asio::awaitable<bool> keep_to_rate(std::size_t frame_bytes);
  boost::asio::awaitable<void> end_stream();
  void dispatch(Bytes plaintext);
  void fail(std::string code, const std::string& reason);
  void begin_close(Ending ending, std::string wire_reason, std::string log_reason);
  void drop_socket() { boost::beast::get_lowest_layer(ws_).close(); }

  WebSocket ws_;
  std::deque<Bytes> queue_;
  boost::asio::steady_timer wake_writer_;
  boost::asio::steady_timer wake_reader_;
  boost::asio::steady_timer throttle_timer_;
  boost::asio::steady_timer writer_done_;
  boost::asio::steady_timer closing_deadline_;
  bool writer_running_ = false;
  bool reading_ = false;  // a read of ws_ is pending
};

// ---- implementation ----

template <class Stream>
GossipSession<Stream>::GossipSession(NetContext& ctx, Stream stream, std::string address,
                                     std::optional<PublicKey> expected)
    : SessionBase(ctx, std::move(address), expected),
      ws_(std::move(stream)),
      wake_writer_(ws_.get_executor()),
      wake_reader_(ws_.get_executor()),
      throttle_timer_(ws_.get_executor()),
      writer_done_(ws_.get_executor()),
      closing_deadline_(ws_.get_executor()) {}

template <class Stream>
void GossipSession<Stream>::start_inbound(NetContext& ctx, Stream stream, GossipRequest request,
                                          std::string address, ConnectionLimiter::Token slot) {
  namespace asio = boost::asio;
  auto session =
      std::make_shared<GossipSession>(ctx, std::move(stream), std::move(address), std::nullopt);
  session->slot_ = std::move(slot);
  // Until the handshake proves the peer's key, the limiter may close this connection to make
  // room for a newcomer (node/net/connection_limiter.hpp).
  session->slot_->on_evict([weak = std::weak_ptr<GossipSession>(session)] {
    if (auto s = weak.lock())
      s->close(CloseCause::evicted, "closed to make room: the handshake took too long", {});
  });
  asio::co_spawn(
      session->ws_.get_executor(),
      [session, request = std::move(request)]() mutable -> asio::awaitable<void> {
        co_await session->run(std::move(request));
      },
      asio::detached);
}

template <class Stream>
boost::asio::awaitable<SessionEnded> GossipSession<Stream>::run_outbound(
    NetContext& ctx, Stream stream, std::string host, std::string path, PublicKey expected,
    std::string address) {
  namespace asio = boost::asio;
  auto session =
      std::make_shared<GossipSession>(ctx, std::move(stream), std::move(address), expected);
  session->host_ = std::move(host);
  session->path_ = std::move(path);
  SessionEnded ended;
  ended.reason = co_await asio::co_spawn(session->ws_.get_executor(), session->run(std::nullopt),
                                         asio::use_awaitable);
  ended.handshake_done = session->up_;
  ended.dropped_unheard = session->up_ && !session->heard_after_handshake_;
  co_return ended;
}

template <class Stream>
boost::asio::awaitable<std::string> GossipSession<Stream>::run(
    std::optional<GossipRequest> request) {
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  namespace websocket = beast::websocket;
  using std::chrono::milliseconds;
  auto self = this->shared_from_this();
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
      drop_socket();
    }
  });

  std::optional<HandshakeFailure> failure = co_await handshake(std::move(request));
  deadline.cancel();
  if (failure) {
    ctx_.core.counters().handshakes_failed++;
    log_event(LogLevel::debug, LogArea::net, "handshake_failed",
              "handshake with " + address_ + " failed: " + failure->reason,
              {{"address", address_}, {"error", failure->reason}});
    report_handshake_problem(failure->problem, failure->reason);
    // A refused peer is told nothing but that it was refused (a bare 1008).
    if (failure->refused && !closing_) begin_close(Ending::policy, {}, failure->reason);
    co_await end_stream();
    co_return "handshake failed: " + failure->reason;
  }

  ws_.read_message_max(net.max_frame_bytes + frame_overhead);
  up_ = true;
  if (slot_) slot_->authenticated();
  id_ = ctx_.core.next_peer_id();
  ctx_.core.session_up(id_, peer_, expected_.has_value(), address_, self);
  writer_running_ = true;
  asio::co_spawn(ws_.get_executor(), write_loop(), asio::detached);
  co_await read_loop();
  begin_close(Ending::drop, {}, "closed");  // no-op when the read loop decided already
  while (writer_running_) {
    writer_done_.expires_at(asio::steady_timer::time_point::max());
    boost::system::error_code ec;
    co_await writer_done_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  co_await end_stream();
  ctx_.core.session_down(id_, close_reason_);
  co_return close_reason_;
}

// The upgrade and the secret handshake; every failure comes back as a value.
template <class Stream>
boost::asio::awaitable<std::optional<HandshakeFailure>> GossipSession<Stream>::handshake(
    std::optional<GossipRequest> request) {
  namespace asio = boost::asio;
  namespace http = boost::beast::http;
  namespace websocket = boost::beast::websocket;
  boost::system::error_code ec;
  // The gossip version rides on Sec-WebSocket-Protocol (node/net/gossip_version_header.hpp).
  if (request) {
    version_ = choose_gossip_version((*request)[http::field::sec_websocket_protocol]);
    if (std::string answer = gossip_version_answer(version_); !answer.empty())
      ws_.set_option(websocket::stream_base::decorator(
          [answer](websocket::response_type& res) {
            res.set(http::field::sec_websocket_protocol, answer);
          }));
    co_await ws_.async_accept(*request, asio::redirect_error(asio::use_awaitable, ec));
  } else {
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
      req.set(http::field::sec_websocket_protocol, offered_gossip_versions());
    }));
    websocket::response_type response;
    co_await ws_.async_handshake(response, host_, path_,
                                 asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) {
      auto version = gossip_version_of_answer(response[http::field::sec_websocket_protocol]);
      if (!version)
        co_return HandshakeFailure{"the server answered with a gossip version we did not offer",
                                   ConnectionProblem::other, true};
      version_ = *version;
    }
  }
  if (ec) co_return io_failure(ec);
  co_return co_await secret_handshake();
}

template <class Stream>
boost::asio::awaitable<std::optional<HandshakeFailure>> GossipSession<Stream>::read_message(
    Bytes& out) {
  namespace asio = boost::asio;
  boost::beast::flat_buffer buffer;
  boost::system::error_code ec;
  co_await ws_.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return io_failure(ec);
  if (!ws_.got_binary()) co_return HandshakeFailure{"the peer sent a text frame", {}, true};
  auto data = buffer.data();
  const auto* p = static_cast<const std::uint8_t*>(data.data());
  ctx_.core.counters().bytes_in += data.size();
  out.assign(p, p + data.size());
  co_return std::nullopt;
}

template <class Stream>
boost::asio::awaitable<std::optional<HandshakeFailure>> GossipSession<Stream>::write_message(
    ByteView bytes) {
  namespace asio = boost::asio;
  boost::system::error_code ec;
  co_await ws_.async_write(asio::buffer(bytes.data(), bytes.size()),
                           asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return io_failure(ec);
  ctx_.core.counters().bytes_out += bytes.size();
  co_return std::nullopt;
}

template <class Stream>
boost::asio::awaitable<std::optional<HandshakeFailure>> GossipSession<Stream>::secret_handshake() {
  SessionKeys keys;
  if (expected_) {
    ClientHandshake hs(ctx_.network, ctx_.identity, *expected_, fresh_ephemeral());
    if (auto f = co_await write_message(hs.hello())) co_return f;
    stage_ = Stage::hello_sent;
    Bytes reply;
    if (auto f = co_await read_message(reply)) co_return f;
    stage_ = Stage::other;
    auto auth = hs.on_reply(reply);
    if (!auth) co_return refusal(auth.error());
    if (auto f = co_await write_message(*auth)) co_return f;
    stage_ = Stage::auth_sent;
    Bytes accept;
    if (auto f = co_await read_message(accept)) co_return f;
    stage_ = Stage::other;
    auto done = hs.on_accept(accept);
    if (!done) co_return refusal(done.error());
    keys = std::move(*done);
  } else {
    ServerHandshake hs(ctx_.network, ctx_.identity);
    Bytes hello;
    if (auto f = co_await read_message(hello)) co_return f;
    // A caller without our network key gets no handshake message at all.
    auto ea = hs.read_hello(hello);
    if (!ea) co_return refusal(ea.error());
    // Nor does one replaying a recorded hello, and it costs us no X25519 either.
    if (auto f = check_fresh_hello(*ea)) co_return f;
    auto reply = hs.reply(fresh_ephemeral());
    if (!reply) co_return refusal(reply.error());
    if (auto f = co_await write_message(*reply)) co_return f;
    Bytes auth;
    if (auto f = co_await read_message(auth)) co_return f;
    auto client = hs.on_auth(auth);
    if (!client) co_return HandshakeFailure{client.error().message, ConnectionProblem::other, true};
    if (auto f = check_welcome(*client)) co_return f;
    auto [accept, done] = hs.accept();
    if (auto f = co_await write_message(accept)) co_return f;
    keys = std::move(done);
  }
  peer_ = keys.peer;
  auto [sealer, header] = FrameSealer::start(keys.send_key);
  sealer_.emplace(std::move(sealer));
  if (auto f = co_await write_message(header)) co_return f;
  Bytes their_header;
  if (auto f = co_await read_message(their_header)) co_return f;
  auto opener = FrameOpener::start(keys.recv_key, their_header);
  if (!opener) co_return HandshakeFailure{opener.error().message, ConnectionProblem::other, true};
  opener_.emplace(std::move(*opener));
  co_return std::nullopt;
}

// ---- after the handshake ----

template <class Stream>
void GossipSession<Stream>::send(Bytes plaintext) {
  const std::size_t n = plaintext.size();
  const std::size_t queued = queued_bytes_.fetch_add(n) + n;
  if (queued > ctx_.core.config().network.max_pending_outbound_bytes) {
    // Sends may race past the cap before the close lands: count the peer once.
    if (dropping_slow_.exchange(true)) return;
    ctx_.core.counters().slow_peers_dropped++;
    close(CloseCause::slow_peer,
          "the peer reads too slowly (" + std::to_string(queued) + " bytes queued)", {});
    return;
  }
  boost::asio::post(ws_.get_executor(),
                    [self = this->shared_from_this(), p = std::move(plaintext)]() mutable {
                      if (self->closing_) return;
                      self->queue_.push_back(std::move(p));
                      self->wake_writer_.cancel();
                    });
}

template <class Stream>
void GossipSession<Stream>::close(CloseCause cause, std::string reason, std::string code) {
  boost::asio::post(ws_.get_executor(), [self = this->shared_from_this(), cause,
                                         reason = std::move(reason), code = std::move(code)] {
    switch (cause) {
      case CloseCause::shutdown:
        return self->begin_close(Ending::normal, "shutdown", reason);
      case CloseCause::duplicate_link:
        return self->begin_close(Ending::normal, "duplicate_link", reason);
      case CloseCause::protocol_error:
        return self->begin_close(Ending::policy, code, reason);
      case CloseCause::slow_peer:
      case CloseCause::evicted:
        return self->begin_close(Ending::drop, {}, reason);
    }
  });
}

// Decides how the session ends and sets it going. A drop closes the socket at once; otherwise
// the writer finishes the frame it is writing (and sends FINAL for a normal end), then ends the
// pending read, and run() writes the close frame (end_stream). closing_time bounds all of it.
template <class Stream>
void GossipSession<Stream>::begin_close(Ending ending, std::string wire_reason,
                                        std::string log_reason) {
  if (!decide_close(ending, std::move(wire_reason), std::move(log_reason))) return;
  closing_deadline_.expires_after(closing_time);
  closing_deadline_.async_wait(
      [self = this->shared_from_this()](const boost::system::error_code& ec) {
        if (!ec) self->drop_socket();
      });
  wake_writer_.cancel();
  wake_reader_.cancel();
  throttle_timer_.cancel();
  if (ending_ == Ending::drop) {
    drop_socket();  // ends the read loop, which reports the close
  } else if (!writer_running_ && reading_) {
    boost::beast::get_lowest_layer(ws_).cancel();
  }
}

template <class Stream>
void GossipSession<Stream>::fail(std::string code, const std::string& reason) {
  ctx_.core.counters().protocol_errors++;
  log_event(LogLevel::warn, LogArea::net, "session_closed",
            "closing " + address_ + " (" + fingerprint(peer_) + "): " + reason,
            {{"address", address_}, {"peer", fingerprint(peer_)}, {"reason", reason}});
  begin_close(Ending::policy, std::move(code), reason);
}

template <class Stream>
boost::asio::awaitable<void> GossipSession<Stream>::write_loop() {
  namespace asio = boost::asio;
  auto self = this->shared_from_this();
  while (!closing_) {
    if (queue_.empty()) {
      wake_writer_.expires_at(asio::steady_timer::time_point::max());
      boost::system::error_code ec;
      co_await wake_writer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    Bytes plain = std::move(queue_.front());
    queue_.pop_front();
    Bytes frame = sealer_->seal(plain);
    boost::system::error_code ec;
    co_await ws_.async_write(asio::buffer(frame), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      begin_close(Ending::drop, {}, "write failed: " + ec.message());
      break;
    }
    queued_bytes_ -= plain.size();
    ctx_.core.counters().bytes_out += frame.size();
    if (queue_.empty()) ctx_.core.link_drained(id_);
  }
  if (ending_ == Ending::normal) {
    // The last message of the stream says it was not cut short (docs/protocol.md, "Close").
    Bytes final_frame = sealer_->seal_final();
    boost::system::error_code ec;
    co_await ws_.async_write(asio::buffer(final_frame),
                             asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      ending_ = Ending::drop;
    } else {
      ctx_.core.counters().bytes_out += final_frame.size();
    }
  }
  writer_running_ = false;
  // No write is in flight now, so the pending read may be cancelled without cutting a frame.
  if (reading_) boost::beast::get_lowest_layer(ws_).cancel();
  writer_done_.cancel();
}

template <class Stream>
boost::asio::awaitable<void> GossipSession<Stream>::read_loop() {
  namespace asio = boost::asio;
  namespace websocket = boost::beast::websocket;
  using std::chrono::milliseconds;
  const NetworkConfig& net = ctx_.core.config().network;
  for (;;) {
    // Backpressure: stop reading while this peer's messages still wait to be verified.
    while (inflight_bytes_.load() > net.max_inflight_inbound_bytes && !closing_) {
      wake_reader_.expires_after(milliseconds(200));
      boost::system::error_code ec;
      co_await wake_reader_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (closing_) co_return;
    boost::beast::flat_buffer buffer;
    boost::system::error_code ec;
    reading_ = true;
    co_await ws_.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    reading_ = false;
    if (ec) {
      if (closing_) co_return;  // our own close ended the read
      if (ec == websocket::error::closed) {
        // Beast has answered the peer's close frame already; say what the peer told us.
        const websocket::close_reason& why = ws_.reason();
        std::string text = "closed by the peer (" + std::to_string(why.code);
        const std::string told =
            sanitize_close_reason(std::string_view(why.reason.data(), why.reason.size()));
        if (!told.empty()) text += ": " + told;
        begin_close(Ending::drop, {}, text + ")");
      } else if (ec == websocket::error::message_too_big) {
        // Beast has sent close 1009 itself.
        begin_close(Ending::drop, {}, "the peer sent a frame over the size limit");
        ctx_.core.counters().protocol_errors++;
        log_event(LogLevel::warn, LogArea::net, "session_closed",
                  "closing " + address_ + " (" + fingerprint(peer_) + "): " + close_reason_,
                  {{"address", address_}, {"peer", fingerprint(peer_)}, {"reason", close_reason_}});
      } else {
        begin_close(Ending::drop, {}, ec.message());
      }
      co_return;
    }
    auto data = buffer.data();
    ctx_.core.counters().bytes_in += data.size();
    if (!ws_.got_binary()) {
      fail("text_frame", "the peer sent a text frame");
      co_return;
    }
    auto plain = opener_->open({static_cast<const std::uint8_t*>(data.data()), data.size()});
    if (!plain) {
      fail(plain.error().code, "a frame failed authentication (altered, replayed or out of order)");
      co_return;
    }
    if (opener_->closed()) {  // the peer ended its stream cleanly: answer in kind
      begin_close(Ending::normal, "final", "closed by the peer");
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
template <class Stream>
boost::asio::awaitable<bool> GossipSession<Stream>::keep_to_rate(std::size_t frame_bytes) {
  namespace asio = boost::asio;
  using std::chrono::milliseconds;
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
    log_event(LogLevel::info, LogArea::net, "peer_throttled",
              "peer " + fingerprint(peer_) + " at " + address_ + " is over its inbound rate of " +
                  std::to_string(net.max_inbound_bytes_per_s) + " bytes/s: reading it more slowly",
              {{"peer", fingerprint(peer_)},
               {"address", address_},
               {"max_inbound_bytes_per_s", std::to_string(net.max_inbound_bytes_per_s)}});
  }
  throttle_timer_.expires_after(wait);
  boost::system::error_code ec;
  co_await throttle_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  if (closing_) co_return false;
  if (InboundRate::Clock::now() - *throttled_since_ >= milliseconds(net.throttle_disconnect_ms)) {
    ctx_.core.counters().peers_dropped_for_rate++;
    fail("over_rate", "stayed over the inbound rate limit of " +
                          std::to_string(net.max_inbound_bytes_per_s) + " bytes/s for " +
                          std::to_string(net.throttle_disconnect_ms) + " ms");
    co_return false;
  }
  co_return true;
}

// The close frame, written below the WebSocket (Beast's async_close would go on reading the
// peer without the rate limit until its answer came), then a half-close and a short lingering
// read so the peer's TCP stack does not reset our close away. Bounded by closing_deadline_.
template <class Stream>
boost::asio::awaitable<void> GossipSession<Stream>::end_stream() {
  namespace asio = boost::asio;
  auto& lowest = boost::beast::get_lowest_layer(ws_);
  if (ending_ != Ending::drop && lowest.socket().is_open()) {
    std::uint8_t mask[4] = {0, 0, 0, 0};
    if (expected_) randombytes_buf(mask, sizeof mask);  // a client masks its frames
    const std::uint16_t code = ending_ == Ending::normal ? close_normal : close_policy;
    Bytes frame = encode_close_frame(code, wire_reason_, expected_.has_value(), mask);
    boost::system::error_code ec;
    co_await asio::async_write(ws_.next_layer(), asio::buffer(frame),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) {
      lowest.socket().shutdown(asio::socket_base::shutdown_send, ec);
      std::array<std::uint8_t, 4096> sink;
      for (std::size_t taken = 0; !ec && taken < max_linger_bytes;) {
        taken += co_await ws_.next_layer().async_read_some(
            asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
      }
    }
  }
  closing_deadline_.cancel();
  drop_socket();
}

// Decodes on the session strand; verifies on this session's verify strand, which also keeps
// the peer's messages in order on their way to the core.
template <class Stream>
void GossipSession<Stream>::dispatch(Bytes plaintext) {
  auto message = decode_gossip(plaintext, gossip_limits());
  if (!message) {
    fail("malformed_message", "malformed message: " + message.error().message);
    return;
  }
  const std::size_t size = plaintext.size();
  inflight_bytes_ += size;
  // The peer's read budget comes back when the last holder of this lets go: at once for
  // control messages, after the commit for entries (NodeCore keeps it with the queued batch).
  std::shared_ptr<void> inflight(this, [self = this->shared_from_this(), size](GossipSession*) {
    self->inflight_bytes_ -= size;
    boost::asio::post(self->ws_.get_executor(), [self] { self->wake_reader_.cancel(); });
  });
  deliver(std::move(*message), std::move(inflight));
}

}  // namespace ifex
