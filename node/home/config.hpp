// The node's configuration file (TOML, `ifexnode.toml` in the data dir). Every limit is here,
// with the defaults an operator gets from `init`. Keys are documented in docs/operations.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "keys/result.hpp"

namespace ifex {

enum class NodeRole { member, hub, relay };
std::string_view role_name(NodeRole role);
Result<NodeRole> parse_role(std::string_view name);

// [network]: the gossip server and its limits. Every limit is enforced per connection.
struct NetworkConfig {
  std::string listen = "127.0.0.1:7400";       // HOST:PORT for the gossip (and later HTTP) server
  bool accept_unknown_peers = false;           // accept any node of the network (relays: true)
  // Whether such a node (neither on the roster nor a configured peer) may read: be sent our
  // logs, pushes and notes. Without it, it may only send us entries of authors we accept.
  bool serve_unknown_peers = false;
  // Rostered or configured peers whose clock must have shown how far they hold this node's
  // own log before a publishing hold (a restored store) is lifted (node/net/publishing_gate).
  std::uint64_t publish_hold_confirmations = 1;
  std::uint64_t max_connections = 128;
  // Connections that have not proven a key yet (HTTP clients, gossip handshakes): at most this
  // many; when full, the oldest is closed for a newcomer. Authenticated peers are never closed
  // for room, so slow HTTP clients cannot lock members out (node/net/connection_limiter.hpp).
  std::uint64_t max_unauthenticated_connections = 64;
  // Unauthenticated connections per address prefix (/24 of IPv4, /64 of IPv6); the name is
  // kept from when it counted one exact address.
  std::uint64_t max_connections_per_address = 8;
  std::uint64_t handshake_timeout_ms = 10'000;
  std::uint64_t idle_timeout_ms = 60'000;      // pings after half of it; closed after all of it
  std::uint64_t max_frame_bytes = 128 * 1024;  // one gossip message, before encryption
  std::uint64_t max_pending_outbound_bytes = 8 << 20;  // a peer that reads slower is dropped
  // SO_SNDBUF of gossip sockets (0: the kernel's autotuning, up to net.ipv4.tcp_wmem's maximum,
  // 4 MiB on Debian). A peer that stops reading holds this much kernel memory on top of the
  // queue above; a fixed size also caps throughput on long links at about size / round trip.
  std::uint64_t socket_send_buffer_bytes = 0;
  std::uint64_t max_inflight_inbound_bytes = 4 << 20;  // reading pauses while this much awaits storing
  // Per-peer inbound rate (token bucket over gossip bytes). A peer over it is read more slowly;
  // one that stays over it for throttle_disconnect_ms is dropped. The default sits above what
  // two cores can verify, so it only bites on floods; lower it on a small link.
  std::uint64_t max_inbound_bytes_per_s = 32 << 20;
  std::uint64_t max_inbound_burst_bytes = 8 << 20;
  std::uint64_t throttle_disconnect_ms = 30'000;
  std::uint64_t reconnect_min_ms = 500;
  std::uint64_t reconnect_max_ms = 30'000;
  std::uint64_t poll_interval_ms = 100;        // how often the node looks for entries other processes stored
  // SOCKS5 proxy every peer is dialed through ("IP:PORT", e.g. Tor's 127.0.0.1:9050; "" =
  // none). Host names go to the proxy unresolved; `.onion` peers need one.
  std::string socks5_proxy;
  // Send the proxy a username derived from each peer's key, so Tor (IsolateSOCKSAuth) puts
  // every peer on a circuit of its own.
  bool socks5_isolate = true;
};

// [http]: the API, feeds and web page served on the same port as /gossip, and the indexer
// that keeps search and listings current.
struct HttpConfig {
  bool public_reads = true;                    // reads without the admin token (relays: false)
  std::uint64_t max_body_bytes = 256 * 1024;   // a POST body (an alert's JSON)
  std::uint64_t request_timeout_ms = 10'000;   // reading a request's body
  std::uint64_t header_timeout_ms = 5'000;     // reading a request's headers (at most request_timeout_ms)
  std::uint64_t max_header_bytes = 8 * 1024;   // the request line and headers; also bounds chunk lines and trailers
  // With public_reads = false, what a request without the admin token gets: this file as an
  // HTML page, or a bare 404 when empty, so a scanner cannot tell what the host runs.
  std::string decoy_file;
  std::uint64_t max_page_size = 100;           // limit= on lists, search and feeds
  std::uint64_t max_search_offset = 10'000;    // deeper result pages are refused
  std::uint64_t max_query_bytes = 1024;        // q= of a search
  std::uint64_t max_facet_matches = 50'000;    // a search counts facets exactly up to this many matches
  std::uint64_t cache_max_age_s = 30;          // Cache-Control max-age on lists, search, feeds
  std::uint64_t threads = 2;                   // threads answering API requests
  // POST /api/alerts waiting for their group commit at once (each holds one of `threads`).
  std::uint64_t max_pending_publishes = 64;
  std::uint64_t index_interval_ms = 200;       // how often new entries are looked for to index
  std::string public_url;                      // base URL in feeds ("" = from the Host header)
};

// [search]: where full-text search runs (node/home/search_settings.hpp, docs/operations.md
// "Search shards"). Both empty: one local index of every alert, the default.
struct SearchConfig {
  std::string shard;                 // "I/N": the local index holds only part I of N
  std::vector<std::string> remote;   // "tcp://HOST:PORT" shards served by xapian-tcpsrv
  std::uint64_t remote_timeout_ms = 10'000;  // connecting to a shard, and each request to it
};

// [log]: how `run` writes its log (node/base/log.hpp). Read at start.
// TLS served by the node itself (docs/operations.md, "TLS"). The handshake inside the WebSocket
// still authenticates nodes; TLS hides the protocol from a passive censor and makes the port
// look like any HTTPS server. Relative paths are read from the data directory.
struct TlsConfig {
  std::string cert_file;  // PEM: the certificate, then its chain
  std::string key_file;   // PEM: its private key, not encrypted
  std::string listen;     // a second HOST:PORT that serves TLS only ("" = none)
  bool require = false;   // the main port refuses connections that do not start TLS
};

struct LogConfig {
  std::string format = "auto";  // text, json, journald; auto = journald under systemd, else text
  std::string level = "info";   // every subsystem's minimum level (run --log-level overrides it)
  std::string levels;           // per subsystem, over `level`: "net=debug,index=warn"
  std::string journal_socket = "/run/systemd/journal/socket";  // journald's native socket
};

struct NodeConfig {
  std::string name;
  NodeRole role = NodeRole::member;
  std::uint64_t map_size_mib = 16 * 1024;      // [store] LMDB address space; disk use grows as needed
  std::uint64_t max_entry_bytes = 64 * 1024;   // [limits] largest signed entry accepted or made
  std::uint64_t import_batch_entries = 1024;   // [limits] entries per transaction when importing
  // [limits] entries dated further ahead of this node's clock are refused (until it catches up).
  // Order never comes from this date (seq does); the bound stops a clock error or a forger of
  // dates from pinning an alert at the top of every "newest" listing.
  std::uint64_t max_clock_skew_s = 3600;
  NetworkConfig network;
  HttpConfig http;
  SearchConfig search;
  TlsConfig tls;
  LogConfig log;
};

// Reads and validates the file; unknown keys are errors (a typo must not silently fall back to
// a default limit). node.name, node.role and network.listen are required; other keys default.
Result<NodeConfig> load_config(const std::filesystem::path& file);
// Writes a commented file; refuses to overwrite one that exists.
Status write_new_config(const std::filesystem::path& file, const NodeConfig& config);

}  // namespace ifex
