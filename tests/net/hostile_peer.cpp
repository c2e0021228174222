// hostile_peer: a test-only gossip client that performs the real handshake (protocol/handshake,
// node/net/secure_frames) with a running node and then misbehaves as the scenario says. The
// end-to-end tests (net_e2e_test) run it against real `ifexnode run` processes and check that the
// node survives, stores nothing the peer sent, and counts the event.
//
//   hostile_peer --data DIR --network-key ifexnet1... --url ws://HOST:PORT/gossip
//                --expect ifexpk1... --scenario NAME [--timeout-ms N] [--linger-ms N]
//
// DIR is a node data dir made by `ifexnode init` with an unencrypted key: its identity.key is the
// identity this client proves (the target must have it on its roster or peer list).
//
// Scenarios:
//   honest            clock, then two valid entries of our log; keeps the connection open for
//                     --linger-ms (the control: proves this client can make a node store things)
//   replay-handshake  one clean session, recording our hello and auth; then a second connection
//                     that replays both (the server must not accept it)
//   flip-bit          clock, then a frame carrying a valid entry with one bit of the ciphertext
//                     flipped
//   bad-signature     clock, then one message with a valid entry (seq 1) and a chained one
//                     (seq 2) whose signature has one bit flipped
//   oversize          clock, then one WebSocket frame carrying a sealed message of ~200 KiB of
//                     valid entries (over the node's default 128 KiB limit)
//   final-frame       not an attack: clock, then the documented clean end of a stream (a frame
//                     tagged FINAL) and a WebSocket close
//
// Every entry sent is printed on stdout as "sent-id HEX" (its id as `ifexnode list` shows it),
// so the test can check that none of them was stored.
//
// Exit status: 0 the expected outcome (attacks: the server closed the connection; honest: the
// server kept it open); 2 usage; 3 setup failed (key file, connect, WebSocket upgrade); 4 the
// real handshake failed before any misbehaviour; 5 the server did not close the connection
// within --timeout-ms; 6 the server completed a replayed handshake; 7 the server closed an honest
// connection; 8 the server's first message was not what the protocol says.
#include <sys/socket.h>

#include <sodium.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "keys/identity.hpp"
#include "keys/key_file.hpp"
#include "keys/key_text.hpp"
#include "node/net/secure_frames.hpp"
#include "protocol/alert.hpp"
#include "protocol/entry.hpp"
#include "protocol/gossip_messages.hpp"
#include "protocol/handshake.hpp"
#include "protocol/log_rules.hpp"
#include "protocol/network_key.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace ifex;
using Clock = std::chrono::steady_clock;

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

[[noreturn]] void finish(int code, const std::string& what) {
  std::printf("result: %s\n", what.c_str());
  std::fflush(stdout);
  std::_Exit(code);  // no destructors: the watchdog thread may still be running
}

// Bounds a blocking operation: when the deadline passes, the socket is shut down (which ends any
// blocked read or write with an error) and expired() turns true, so the caller can tell a
// timeout from the peer closing.
class Watchdog {
 public:
  Watchdog() : thread_([this] { run(); }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      quit_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void arm(int fd, std::chrono::milliseconds timeout) {
    std::lock_guard lock(mutex_);
    fd_ = fd;
    deadline_ = Clock::now() + timeout;
    armed_ = true;
    expired_ = false;
    cv_.notify_all();
  }
  void disarm() {
    std::lock_guard lock(mutex_);
    armed_ = false;
  }
  bool expired() {
    std::lock_guard lock(mutex_);
    return expired_;
  }

 private:
  void run() {
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
  std::mutex mutex_;
  std::condition_variable cv_;
  int fd_ = -1;
  Clock::time_point deadline_;
  bool armed_ = false;
  bool expired_ = false;
  bool quit_ = false;
  std::thread thread_;
};

struct Options {
  std::string data;
  std::string network_key;
  std::string url;
  std::string expect;
  std::string scenario;
  std::chrono::milliseconds timeout{5000};
  std::chrono::milliseconds linger{2000};
};

struct Url {
  std::string host;
  std::string port;
  std::string path;
};

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

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) finish(usage, "missing a value after " + arg);
    std::string value = argv[++i];
    if (arg == "--data")
      o.data = value;
    else if (arg == "--network-key")
      o.network_key = value;
    else if (arg == "--url")
      o.url = value;
    else if (arg == "--expect")
      o.expect = value;
    else if (arg == "--scenario")
      o.scenario = value;
    else if (arg == "--timeout-ms")
      o.timeout = std::chrono::milliseconds(std::stoll(value));
    else if (arg == "--linger-ms")
      o.linger = std::chrono::milliseconds(std::stoll(value));
    else
      finish(usage, "unknown argument " + arg);
  }
  if (o.data.empty() || o.network_key.empty() || o.url.empty() || o.expect.empty() ||
      o.scenario.empty())
    finish(usage, "--data, --network-key, --url, --expect and --scenario are required");
  return o;
}

EphemeralKey fresh_ephemeral() {
  std::uint8_t seed[32];
  randombytes_buf(seed, sizeof seed);
  return EphemeralKey::from_seed({seed, sizeof seed});
}

Bytes alert_payload(const std::string& title, std::size_t body_bytes) {
  Alert a;
  a.original = {"en", title, "Sent by the hostile test peer.", std::string(body_bytes, 'x')};
  a.country = "TN";
  a.categories = {"press-freedom"};
  a.event_date = "2026-01-15";
  return encode_alert(a);
}

std::uint64_t wall_ms() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

// `count` valid entries of `me`'s log from seq 1, each with a body of `body_bytes`.
std::vector<SignedEntry> make_log(const Identity& me, std::size_t count, std::size_t body_bytes,
                                  const std::string& label) {
  std::vector<SignedEntry> log;
  LogHead head;
  for (std::size_t i = 0; i < count; ++i) {
    EntryFields f{
        me.public_key(),  head.seq + 1,
        head.id,          wall_ms(),
        EntryKind::alert, alert_payload(label + " #" + std::to_string(head.seq + 1), body_bytes)};
    log.push_back(sign_entry(me, std::move(f)));
    head = head_after(log.back());
  }
  return log;
}

void print_sent(ByteView entry_bytes) {
  std::printf("sent-id %s\n", entry_id(entry_bytes).hex().c_str());
  std::fflush(stdout);
}

// One connection: the WebSocket, the handshake and the encrypted frames.
class Connection {
 public:
  Connection(asio::io_context& ioc, const Url& url, Watchdog& watchdog,
             std::chrono::milliseconds timeout)
      : ws_(ioc), watchdog_(watchdog), timeout_(timeout) {
    boost::system::error_code ec;
    tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(url.host, url.port, ec);
    if (ec) finish(setup_failed, "cannot resolve " + url.host + ": " + ec.message());
    asio::connect(ws_.next_layer(), endpoints, ec);
    if (ec) finish(setup_failed, "cannot connect: " + ec.message());
    arm();
    ws_.handshake(url.host + ":" + url.port, url.path, ec);
    if (ec) finish(setup_failed, "WebSocket upgrade failed: " + ec.message());
    ws_.binary(true);
    ws_.auto_fragment(false);
    ws_.read_message_max(16 << 20);
  }

  void arm() { watchdog_.arm(ws_.next_layer().native_handle(), timeout_); }
  void arm(std::chrono::milliseconds t) { watchdog_.arm(ws_.next_layer().native_handle(), t); }

  boost::system::error_code write(ByteView bytes) {
    boost::system::error_code ec;
    ws_.write(asio::buffer(bytes.data(), bytes.size()), ec);
    return ec;
  }
  // A whole message, or nullopt when the connection ended (or the watchdog fired).
  std::optional<Bytes> read() {
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    ws_.read(buffer, ec);
    if (ec) {
      last_error_ = ec.message();
      return std::nullopt;
    }
    auto data = buffer.data();
    const auto* p = static_cast<const std::uint8_t*>(data.data());
    return Bytes(p, p + data.size());
  }
  const std::string& last_error() const { return last_error_; }

  // Client side of ifex-hs/1; records what we sent. Exits on any failure.
  SessionKeys handshake(const NetworkKey& network, const Identity& me, const PublicKey& server) {
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

  // Stream headers both ways, then the server's first message, which must be its clock.
  void start_frames(const SessionKeys& keys, const GossipLimits& limits) {
    auto [sealer, header] = FrameSealer::start(keys.send_key);
    sealer_.emplace(std::move(sealer));
    if (write(header)) finish(handshake_failed, "cannot send our stream header");
    auto theirs = read();
    if (!theirs) finish(handshake_failed, "no stream header from the server: " + last_error_);
    auto opener = FrameOpener::start(keys.recv_key, *theirs);
    if (!opener) finish(protocol_surprise, "bad stream header: " + opener.error().message);
    opener_.emplace(std::move(*opener));
    auto first = read_message(limits);
    if (!first) finish(handshake_failed, "no first message from the server: " + last_error_);
    if (!std::holds_alternative<ClockMsg>(*first))
      finish(protocol_surprise, "the server's first message is a " +
                                    std::string(gossip_type_name(*first)) + ", not its clock");
  }

  // Reads and opens one gossip message; nullopt when the connection ended. Exits when the
  // server's frame does not open or decode (the server never sends such frames).
  std::optional<GossipMessage> read_message(const GossipLimits& limits) {
    auto frame = read();
    if (!frame) return std::nullopt;
    auto plain = opener_->open(*frame);
    if (!plain) finish(protocol_surprise, "a frame from the server: " + plain.error().message);
    auto message = decode_gossip(*plain, limits);
    if (!message)
      finish(protocol_surprise, "a message from the server: " + message.error().message);
    return std::move(*message);
  }

  Bytes seal(const GossipMessage& message) { return sealer_->seal(encode_gossip(message)); }
  Bytes seal_final() { return sealer_->seal_final(); }

  // Reads until the connection ends; true when the server ended it, false when the watchdog
  // fired first.
  bool wait_for_close(const GossipLimits& limits, std::chrono::milliseconds timeout) {
    arm(timeout);
    for (;;) {
      auto frame = read();
      if (!frame) return !watchdog_.expired();
      // Frames the server sends before noticing are fine; they must still open.
      if (opener_ && !opener_->failed()) {
        auto plain = opener_->open(*frame);
        if (plain) (void)decode_gossip(*plain, limits);
      }
    }
  }

  void close_cleanly() {
    arm();
    boost::system::error_code ec;
    ws_.close(websocket::close_code::normal, ec);
    watchdog_.disarm();
  }

  const Bytes& hello() const { return hello_; }
  const Bytes& auth() const { return auth_; }

 private:
  websocket::stream<tcp::socket> ws_;
  Watchdog& watchdog_;
  std::chrono::milliseconds timeout_;
  std::optional<FrameSealer> sealer_;
  std::optional<FrameOpener> opener_;
  Bytes hello_;
  Bytes auth_;
  std::string last_error_;
};

ClockMsg clock_claiming(const PublicKey& author, std::uint64_t seq) {
  ClockMsg clock;
  clock.heads.push_back({author, seq});
  return clock;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_args(argc, argv);
  init_crypto();
  auto identity = read_key_file(std::filesystem::path(o.data) / "identity.key", nullptr);
  if (!identity) finish(setup_failed, "cannot read the identity: " + identity.error().message);
  auto network = network_key_from_text(o.network_key);
  if (!network) finish(setup_failed, "bad network key: " + network.error().message);
  auto server = public_key_from_text(o.expect);
  if (!server) finish(setup_failed, "bad --expect key: " + server.error().message);
  const Url url = parse_url(o.url);
  const Identity& me = *identity;
  GossipLimits limits;  // the node's defaults

  asio::io_context ioc;
  Watchdog watchdog;

  if (o.scenario == "replay-handshake") {
    Bytes hello, auth;
    {
      // A complete, clean session, as an eavesdropper would have recorded it.
      Connection first(ioc, url, watchdog, o.timeout);
      SessionKeys keys = first.handshake(*network, me, *server);
      first.start_frames(keys, limits);
      hello = first.hello();
      auth = first.auth();
      first.close_cleanly();
    }
    Connection replay(ioc, url, watchdog, o.timeout);
    if (replay.write(hello)) finish(expected, "the server closed before the replayed hello");
    auto reply = replay.read();
    if (!reply) finish(expected, "the server closed on the replayed hello: " + replay.last_error());
    if (replay.write(auth)) finish(expected, "the server closed before the replayed auth");
    auto accept = replay.read();
    if (accept)
      finish(replay_accepted, "the server answered a replayed auth with " +
                                  std::to_string(accept->size()) + " bytes");
    if (watchdog.expired()) finish(not_closed, "the server neither accepted nor closed");
    finish(expected, "the server closed on the replayed auth: " + replay.last_error());
  }

  Connection conn(ioc, url, watchdog, o.timeout);
  SessionKeys keys = conn.handshake(*network, me, *server);
  conn.start_frames(keys, limits);

  if (o.scenario == "honest") {
    auto log = make_log(me, 2, 200, "honest");
    if (conn.write(conn.seal(clock_claiming(me.public_key(), 2))))
      finish(honest_closed, "the server closed before our clock");
    EntriesMsg entries;
    for (const auto& e : log) {
      entries.entries.push_back(e.bytes());
      print_sent(e.bytes());
    }
    if (conn.write(conn.seal(entries)))
      finish(honest_closed, "the server closed before our entries");
    if (conn.wait_for_close(limits, o.linger))
      finish(honest_closed, "the server closed an honest connection: " + conn.last_error());
    finish(expected, "the server kept the connection open");
  }

  if (o.scenario == "final-frame") {
    // Not an attack: the documented clean end of a stream, a FINAL frame, then the WebSocket
    // close. The node must take it as a clean close, not as a protocol error.
    if (conn.write(conn.seal(clock_claiming(me.public_key(), 0))))
      finish(honest_closed, "the server closed before our clock");
    if (conn.write(conn.seal_final()))
      finish(honest_closed, "the server closed before our final frame");
    conn.close_cleanly();
    finish(expected, "sent a final frame and closed");
  }

  if (o.scenario == "flip-bit") {
    auto log = make_log(me, 1, 200, "flipped");
    if (conn.write(conn.seal(clock_claiming(me.public_key(), 1))))
      finish(not_closed, "the server closed before our clock");
    EntriesMsg entries{true, {log[0].bytes()}};
    print_sent(log[0].bytes());
    Bytes frame = conn.seal(entries);
    frame[frame.size() / 2] ^= 0x10;
    if (conn.write(frame)) finish(expected, "the server closed while we sent the altered frame");
  } else if (o.scenario == "bad-signature") {
    auto log = make_log(me, 2, 200, "forged");
    Bytes forged = log[1].bytes();
    forged.back() ^= 0x01;  // the signature is the last 64 bytes
    if (conn.write(conn.seal(clock_claiming(me.public_key(), 2))))
      finish(not_closed, "the server closed before our clock");
    EntriesMsg entries{false, {log[0].bytes(), forged}};
    print_sent(log[0].bytes());
    print_sent(forged);
    if (conn.write(conn.seal(entries))) finish(expected, "the server closed while we sent");
  } else if (o.scenario == "oversize") {
    // Four valid ~50 KiB entries: each is within max_entry_bytes, the message is not.
    auto log = make_log(me, 4, 50 * 1024, "oversize");
    if (conn.write(conn.seal(clock_claiming(me.public_key(), 4))))
      finish(not_closed, "the server closed before our clock");
    EntriesMsg entries;
    for (const auto& e : log) {
      entries.entries.push_back(e.bytes());
      print_sent(e.bytes());
    }
    Bytes frame = conn.seal(entries);
    std::printf("oversize-frame-bytes %zu\n", frame.size());
    if (conn.write(frame)) finish(expected, "the server closed while we sent the big frame");
  } else {
    finish(usage, "unknown scenario " + o.scenario);
  }

  if (conn.wait_for_close(limits, o.timeout))
    finish(expected, "the server closed the connection: " + conn.last_error());
  finish(not_closed,
         "the server kept the connection open for " + std::to_string(o.timeout.count()) + " ms");
}
