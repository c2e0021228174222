// hostile_peer's scenarios, grouped by what they attack. Each group's runner returns false when
// it does not know the scenario; otherwise the scenario ends the process itself (finish()).
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "keys/identity.hpp"
#include "protocol/gossip_messages.hpp"
#include "protocol/network_key.hpp"
#include "tests/net/hostile_link.hpp"

namespace ifex::hostile {

struct Options {
  std::string data;
  std::string network_key;
  std::string url;
  std::string expect;
  std::string scenario;
  milliseconds timeout{5000};
  milliseconds linger{2000};
  // Load scenarios (0: the scenario's default).
  std::uint64_t count = 0;                // replay-entry: copies to send
  std::uint64_t rate_bytes_per_s = 0;     // flood: pace to this rate (0: as fast as possible)
  milliseconds duration{0};               // flood: how long; slow-reader: longest slow phase
  std::size_t body_bytes = 0;             // bytes of each entry's alert body
  std::uint64_t read_bytes_per_s = 0;     // slow-reader
  int receive_buffer = 0;                 // SO_RCVBUF asked for (slow-reader default: 4 KiB)
  int send_buffer = 0;                    // SO_SNDBUF asked for (flood default: 16 KiB)
  std::vector<std::string> want;          // slow-reader: more authors to ask for (key text)
  std::int64_t created_offset_ms = 0;     // future-entry: created_ms = now + this
};

// What every scenario works with.
struct Context {
  const Options& o;
  const Identity& me;
  const NetworkKey& network;
  const PublicKey& server;
  const Url& url;
  const GossipLimits& limits;
  boost::asio::io_context& ioc;
  Watchdog& watchdog;
};

// honest, replay-handshake, replay-hello, flip-bit, bad-signature, oversize, final-frame, close-*.
bool run_protocol_scenario(Context& c);
// slow-reader, replay-entry, flood.
bool run_load_scenario(Context& c);
// future-entry, backwards-clock.
bool run_clock_scenario(Context& c);

}  // namespace ifex::hostile
