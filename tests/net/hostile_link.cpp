#include "tests/net/hostile_link.hpp"

#include <sys/socket.h>

#include <sodium.h>
#include <boost/asio/connect.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <cstdio>
#include <cstdlib>

namespace ifex::hostile {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

void finish(int code, const std::string& what) {
  std::printf("result: %s\n", what.c_str());
  std::fflush(stdout);
  std::_Exit(code);
}

std::uint64_t wall_ms() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

// ---- Watchdog ----

Watchdog::Watchdog() : thread_([this] { run(); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mutex_);
    quit_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Watchdog::arm(int fd, milliseconds timeout) {
  std::lock_guard lock(mutex_);
  fd_ = fd;
  deadline_ = Clock::now() + timeout;
  armed_ = true;
  expired_ = false;
  cv_.notify_all();
}

void Watchdog::disarm() {
  std::lock_guard lock(mutex_);
  armed_ = false;
}

bool Watchdog::expired() {
  std::lock_guard lock(mutex_);
  return expired_;
}

void Watchdog::run() {
  std::unique_lock lock(mutex_);
  while (!quit_) {
    if (!armed_) {
      cv_.wait(lock);
      continue;
    }
    if (Clock::now() >= deadline_) {
      expired_ = true;
      armed_ = false;
      ::shutdown(fd_, SHUT_RDWR);
      continue;
    }
    cv_.wait_until(lock, deadline_);
  }
}

// ---- Url ----

Url parse_url(const std::string& text) {
  const std::string scheme = "ws://";
  if (text.rfind(scheme, 0) != 0) finish(usage, "the URL must start with ws://");
  std::string rest = text.substr(scheme.size());
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "/" : rest.substr(slash);
  auto colon = authority.rfind(':');
  if (colon == std::string::npos) finish(usage, "the URL needs a port");
  return {authority.substr(0, colon), authority.substr(colon + 1), path};
}

// ---- Connection ----

namespace {

EphemeralKey fresh_ephemeral() {
  std::uint8_t seed[32];
  randombytes_buf(seed, sizeof seed);
  return EphemeralKey::from_seed({seed, sizeof seed});
}

}  // namespace

Connection::Connection(asio::io_context& ioc, const Url& url, Watchdog& watchdog,
                       milliseconds timeout, SocketBuffers buffers, std::string gossip_offer)
    : ws_(ioc), watchdog_(watchdog), timeout_(timeout) {
  boost::system::error_code ec;
  tcp::resolver resolver(ioc);
  auto endpoints = resolver.resolve(url.host, url.port, ec);
  if (ec) finish(setup_failed, "cannot resolve " + url.host + ": " + ec.message());
  auto& socket = ws_.next_layer();
  // Buffer sizes must be set before connecting: the window scale is fixed by the SYN.
  socket.open(endpoints.begin()->endpoint().protocol(), ec);
  if (!ec && buffers.receive > 0)
    socket.set_option(asio::socket_base::receive_buffer_size(buffers.receive), ec);
  if (!ec && buffers.send > 0)
    socket.set_option(asio::socket_base::send_buffer_size(buffers.send), ec);
  if (ec) finish(setup_failed, "cannot set up the socket: " + ec.message());
  socket.connect(endpoints.begin()->endpoint(), ec);
  if (ec) finish(setup_failed, "cannot connect: " + ec.message());
  arm();
  if (!gossip_offer.empty())
    ws_.set_option(websocket::stream_base::decorator([gossip_offer](websocket::request_type& req) {
      req.set(beast::http::field::sec_websocket_protocol, gossip_offer);
    }));
  ws_.handshake(url.host + ":" + url.port, url.path, ec);
  if (ec) finish(setup_failed, "WebSocket upgrade failed: " + ec.message());
  ws_.binary(true);
  ws_.auto_fragment(false);
  ws_.read_message_max(16 << 20);
}

boost::system::error_code Connection::write(ByteView bytes) {
  boost::system::error_code ec;
  ws_.write(asio::buffer(bytes.data(), bytes.size()), ec);
  return ec;
}

std::optional<Bytes> Connection::read() {
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  ws_.read(buffer, ec);
  if (ec) {
    last_error_ = ec.message();
    if (ec == websocket::error::closed) {
      close_code_ = ws_.reason().code;
      close_reason_.assign(ws_.reason().reason.data(), ws_.reason().reason.size());
    }
    return std::nullopt;
  }
  auto data = buffer.data();
  const auto* p = static_cast<const std::uint8_t*>(data.data());
  return Bytes(p, p + data.size());
}

SessionKeys Connection::handshake(const NetworkKey& network, const Identity& me,
                                  const PublicKey& server) {
  ClientHandshake hs(network, me, server, fresh_ephemeral());
  hello_ = hs.hello();
  if (write(hello_)) finish(handshake_failed, "cannot send the hello");
  auto reply = read();
  if (!reply) finish(handshake_failed, "no reply to our hello: " + last_error_);
  auto auth = hs.on_reply(*reply);
  if (!auth) finish(handshake_failed, "bad reply: " + auth.error().message);
  auth_ = *auth;
  if (write(auth_)) finish(handshake_failed, "cannot send the auth");
  auto accept = read();
  if (!accept) finish(handshake_failed, "no accept: " + last_error_);
  auto keys = hs.on_accept(*accept);
  if (!keys) finish(handshake_failed, "bad accept: " + keys.error().message);
  return std::move(*keys);
}

void Connection::start_frames(const SessionKeys& keys, const GossipLimits& limits) {
  exchange_headers(keys);
  auto first = read_message(limits);
  if (!first) finish(handshake_failed, "no first message from the server: " + last_error_);
  if (!std::holds_alternative<ClockMsg>(*first) && !std::holds_alternative<ClockPartMsg>(*first))
    finish(protocol_surprise, "the server's first message is a " +
                                  std::string(gossip_type_name(*first)) + ", not its clock");
}

void Connection::exchange_headers(const SessionKeys& keys) {
  auto [sealer, header] = FrameSealer::start(keys.send_key);
  sealer_.emplace(std::move(sealer));
  if (write(header)) finish(handshake_failed, "cannot send our stream header");
  auto theirs = read();
  if (!theirs) finish(handshake_failed, "no stream header from the server: " + last_error_);
  auto opener = FrameOpener::start(keys.recv_key, *theirs);
  if (!opener) finish(protocol_surprise, "bad stream header: " + opener.error().message);
  opener_.emplace(std::move(*opener));
}

std::optional<GossipMessage> Connection::read_message(const GossipLimits& limits) {
  auto frame = read();
  if (!frame) return std::nullopt;
  auto plain = opener_->open(*frame);
  if (!plain) finish(protocol_surprise, "a frame from the server: " + plain.error().message);
  if (opener_->closed()) {
    saw_final_ = true;
    // Nothing may follow FINAL but the close frame: read it.
    if (read()) finish(protocol_surprise, "a message after the server's FINAL frame");
    return std::nullopt;
  }
  auto message = decode_gossip(*plain, limits);
  if (!message) finish(protocol_surprise, "a message from the server: " + message.error().message);
  return std::move(*message);
}

bool Connection::wait_for_close(const GossipLimits& limits, milliseconds timeout) {
  arm(timeout);
  for (;;) {
    auto frame = read();
    if (!frame) return !watchdog_.expired();
    // Frames the server sends before noticing are fine; they must still open.
    if (opener_ && !opener_->failed() && !opener_->closed()) {
      auto plain = opener_->open(*frame);
      if (plain && opener_->closed()) saw_final_ = true;
      if (plain) (void)decode_gossip(*plain, limits);
    }
  }
}

void Connection::print_close() const {
  std::printf("close-code %d\nclose-reason %s\nfinal %s\n", close_code_, close_reason_.c_str(),
              saw_final_ ? "yes" : "no");
  std::fflush(stdout);
}

void Connection::close_cleanly() {
  arm();
  boost::system::error_code ec;
  ws_.close(websocket::close_code::normal, ec);
  watchdog_.disarm();
}

std::size_t Connection::read_raw(std::uint8_t* out, std::size_t max,
                                 boost::system::error_code& ec) {
  return ws_.next_layer().read_some(asio::buffer(out, max), ec);
}

}  // namespace ifex::hostile
