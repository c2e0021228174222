// hostile_peer: a test-only gossip client that performs the real handshake (protocol/handshake,
// node/net/secure_frames) with a running node and then misbehaves as the scenario says. The
// end-to-end tests (net_e2e_test, net_load_test) run it against real `ifexnode run` processes
// and check that the node survives, stores nothing it should not, and counts the event.
//
//   hostile_peer --data DIR --network-key ifexnet1... --url ws://HOST:PORT/gossip
//                --expect ifexpk1... --scenario NAME [--timeout-ms N] [--linger-ms N]
//                [--count N] [--rate-bytes-per-s N] [--duration-ms N] [--body-bytes N]
//                [--read-bytes-per-s N] [--rcvbuf N] [--sndbuf N] [--want KEY]...
//                [--created-offset-ms N]
//
// DIR is a node data dir made by `ifexnode init` with an unencrypted key: its identity.key is the
// identity this client proves (the target must have it on its roster or peer list).
//
// Scenarios breaking the protocol (hostile_scenarios_protocol.cpp):
//   honest            clock, then two valid entries of our log; keeps the connection open for
//                     --linger-ms (the control: proves this client can make a node store things)
//   replay-handshake  one clean session, recording our hello and auth; then a second connection
//                     that replays both (the server must not accept it)
//   replay-hello      one clean session, recording our hello; then a second connection that
//                     replays it at once: expects no handshake message and a bare 1008 (as for
//                     a wrong MAC); exit 6 when the server answers it. Prints close-code,
//                     close-reason and final lines
//   flip-bit          clock, then a frame carrying a valid entry with one bit of the ciphertext
//                     flipped
//   bad-signature     clock, then one message with a valid entry (seq 1) and a chained one
//                     (seq 2) whose signature has one bit flipped
//   oversize          clock, then one WebSocket frame carrying a sealed message of ~200 KiB of
//                     valid entries (over the node's default 128 KiB limit)
//   final-frame       not an attack: clock, then the documented clean end of a stream (a frame
//                     tagged FINAL) and a WebSocket close
//   endless-clock-parts  offers gossip version 3, then sends clock parts of 1,820 authors, never
//                     the last, up to 100 of them (182,000 authors, over max_clock_authors)
// How the node closes (docs/protocol.md, "Closing a connection"); each prints close-code,
// close-reason and final lines, and exits 0 when the close is the documented one:
//   close-protocol    clock, then a sealed frame that is no gossip message: expects 1008 with a
//                     reason of 1-64 printable bytes and no FINAL
//   close-handshake   a hello for another key: expects a bare 1008 and no handshake message
//   close-duplicate   two connections with one key: expects FINAL, then 1000 "duplicate_link"
//                     on the second
//   close-shutdown    prints "connected", then waits (up to --timeout-ms) for the node to stop:
//                     expects FINAL, then 1000 "shutdown"
// Scenarios costing the node (hostile_scenarios_load.cpp):
//   slow-reader       asks for the server's whole log (and each --want author's) with seq-0
//                     clock entries, through a small SO_RCVBUF (--rcvbuf, 4096), then reads
//                     --read-bytes-per-s (16) bytes a second. On SIGUSR1 (or after --duration-ms,
//                     120 s) it drains at full speed: exit 0 when the stream ends (the node had
//                     dropped it), 5 when the node still streams or idles after --timeout-ms.
//                     Prints slow-read-bytes, drained-bytes, slow-reader-closed-after-ms.
//   replay-entry      one valid entry (seq 1), then --count (10,000) copies of it, each in its
//                     own pushed message; exit 0 whether or not the node closed the connection.
//                     Prints replay-copies-sent, closed-by-node yes|no.
//   flood             new valid entries of our log (--body-bytes, 1000), one pushed message
//                     each, as fast as possible or at --rate-bytes-per-s, for --duration-ms
//                     (10 s), through a small SO_SNDBUF (--sndbuf, 16384) so that our send rate
//                     is the node's read rate. Prints "flood-sample MS BYTES" every 250 ms,
//                     flood-bytes-sent, flood-closed-after-ms. Exit 0 when the node closed the
//                     connection (during or within --timeout-ms after the flood), else 5.
// Scenarios about the author's clock (hostile_scenarios_clock.cpp), exit 0 when the node keeps
// the connection open for --linger-ms, 7 when it closes it:
//   future-entry      one valid entry (seq 1) with created_ms = now + --created-offset-ms
//                     (two days)
//   backwards-clock   seq 1 created now, seq 2 a day earlier, seq 3 two days earlier
//
// Every entry sent is printed on stdout as "sent-id HEX" (its id as `ifexnode list` shows it),
// so the test can check whether it was stored.
//
// Exit status: 0 the expected outcome (attacks: the server closed the connection; honest: the
// server kept it open); 2 usage; 3 setup failed (key file, connect, WebSocket upgrade); 4 the
// real handshake failed before any misbehaviour; 5 the server did not close the connection
// within --timeout-ms; 6 the server completed a replayed handshake (or answered a replayed
// hello); 7 the server closed an honest connection; 8 the server's first message was not what
// the protocol says.
#include <sodium.h>

#include <filesystem>
#include <string>

#include "keys/key_file.hpp"
#include "keys/key_text.hpp"
#include "tests/net/hostile_scenarios.hpp"

namespace {

using namespace ifex;
using namespace ifex::hostile;

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) finish(usage, "missing a value after " + arg);
    std::string value = argv[++i];
    auto number = [&] {
      try {
        return std::stoll(value);
      } catch (const std::exception&) {
        finish(usage, arg + " needs a number, not '" + value + "'");
      }
    };
    if (arg == "--data") o.data = value;
    else if (arg == "--network-key") o.network_key = value;
    else if (arg == "--url") o.url = value;
    else if (arg == "--expect") o.expect = value;
    else if (arg == "--scenario") o.scenario = value;
    else if (arg == "--timeout-ms") o.timeout = milliseconds(number());
    else if (arg == "--linger-ms") o.linger = milliseconds(number());
    else if (arg == "--count") o.count = static_cast<std::uint64_t>(number());
    else if (arg == "--rate-bytes-per-s") o.rate_bytes_per_s = static_cast<std::uint64_t>(number());
    else if (arg == "--duration-ms") o.duration = milliseconds(number());
    else if (arg == "--body-bytes") o.body_bytes = static_cast<std::size_t>(number());
    else if (arg == "--read-bytes-per-s") o.read_bytes_per_s = static_cast<std::uint64_t>(number());
    else if (arg == "--rcvbuf") o.receive_buffer = static_cast<int>(number());
    else if (arg == "--sndbuf") o.send_buffer = static_cast<int>(number());
    else if (arg == "--want") o.want.push_back(value);
    else if (arg == "--created-offset-ms") o.created_offset_ms = number();
    else finish(usage, "unknown argument " + arg);
  }
  if (o.data.empty() || o.network_key.empty() || o.url.empty() || o.expect.empty() ||
      o.scenario.empty())
    finish(usage, "--data, --network-key, --url, --expect and --scenario are required");
  return o;
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
  GossipLimits limits;  // the node's defaults

  boost::asio::io_context ioc;
  Watchdog watchdog;
  Context context{o, *identity, *network, *server, url, limits, ioc, watchdog};
  if (!run_protocol_scenario(context) && !run_load_scenario(context) &&
      !run_clock_scenario(context))
    finish(usage, "unknown scenario " + o.scenario);
  finish(usage, "scenario " + o.scenario + " ended without a result");
}
