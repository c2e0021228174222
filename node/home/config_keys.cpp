#include "node/home/config_keys.hpp"

#include <array>

#include "node/base/log.hpp"
#include "node/home/proxy_address.hpp"
#include "node/home/search_settings.hpp"

namespace ifex {

namespace {

constexpr std::uint64_t day_ms = 86'400'000;

bool is_public_url(std::string_view v) {
  return v.empty() || v.starts_with("http://") || v.starts_with("https://");
}

// The field a key sets: a member of NodeConfig, or of its [network] or [http] part.
template <auto Member>
auto& node_field(NodeConfig& c) {
  return c.*Member;
}
template <auto Member>
auto& network_field(NodeConfig& c) {
  return c.network.*Member;
}
template <auto Member>
auto& http_field(NodeConfig& c) {
  return c.http.*Member;
}
template <auto Member>
auto& search_field(NodeConfig& c) {
  return c.search.*Member;
}
template <auto Member>
auto& tls_field(NodeConfig& c) {
  return c.tls.*Member;
}
template <auto Member>
auto& log_field(NodeConfig& c) {
  return c.log.*Member;
}

// "" or IP:PORT: an address literal, because looking up the proxy's own name would leak to the
// local resolver what the proxy is there to hide (that the node uses one, and which).
bool is_proxy_address(std::string_view v) {
  return v.empty() || parse_proxy_address(v).ok();
}

bool is_shard_spec(std::string_view v) {
  return parse_shard_spec(v).ok();
}
bool is_shard_address(std::string_view v) {
  return parse_shard_address(v).ok();
}

bool is_log_format(std::string_view v) {
  LogFormat f;
  return v == "auto" || parse_log_format(v, f);
}
bool is_log_level(std::string_view v) {
  LogLevel l;
  return parse_log_level(v, l);
}
bool is_area_levels(std::string_view v) {
  LogSettings s;
  return !apply_area_levels(v, s.levels);
}

constexpr std::array sections = {
    ConfigSection{"node", "", "the [node] section is missing"},
    ConfigSection{"store",
                  "# LMDB reserves this much address space; the file grows only as data "
                  "arrives.\n",
                  ""},
    ConfigSection{"limits", "", ""},
    ConfigSection{"network",
                  "# The gossip server and its limits (docs/operations.md, \"Configuration "
                  "(`ifexnode.toml`)\"). listen is required.\n",
                  ""},
    ConfigSection{"http",
                  "# The HTTP API, feeds and web page on the same port (docs/http-api.md).\n", ""},
    ConfigSection{"search",
                  "# Full-text search: one local index (the default), part of a sharded index "
                  "(shard = \"I/N\"),\n# or remote shards served by xapian-tcpsrv "
                  "(remote = [\"tcp://HOST:PORT\", ...]).\n",
                  ""},
    ConfigSection{"tls",
                  "# TLS served by the node (wss:// and https://): set cert_file and key_file "
                  "(PEM); SIGHUP re-reads them.\n",
                  ""},
    ConfigSection{"log",
                  "# The log of `run`: format text, json or journald (auto: journald under "
                  "systemd), levels per subsystem.\n",
                  ""},
};

const std::array keys = {
    ConfigKey{"node", "name", TextKey{node_field<&NodeConfig::name>, "must be a string"},
              "is missing (the organisation's name)"},
    ConfigKey{"node", "role", RoleKey{}, "is missing (member, hub or relay)"},

    ConfigKey{"store", "map_size_mib",
              IntegerKey{node_field<&NodeConfig::map_size_mib>, 1, std::uint64_t{1} << 24}},

    ConfigKey{"limits", "max_entry_bytes",
              IntegerKey{node_field<&NodeConfig::max_entry_bytes>, 1024, 16 << 20}},
    ConfigKey{"limits", "import_batch_entries",
              IntegerKey{node_field<&NodeConfig::import_batch_entries>, 1, 1'000'000}},
    ConfigKey{"limits", "max_clock_skew_s",
              IntegerKey{node_field<&NodeConfig::max_clock_skew_s>, 0, 10ull * 365 * 86'400}},

    ConfigKey{"network", "listen",
              TextKey{network_field<&NetworkConfig::listen>, "must be a string HOST:PORT"},
              "is missing (HOST:PORT, e.g. \"127.0.0.1:7400\"); docs/operations.md lists the "
              "required keys"},
    ConfigKey{"network", "accept_unknown_peers",
              FlagKey{network_field<&NetworkConfig::accept_unknown_peers>}},
    ConfigKey{"network", "max_connections",
              IntegerKey{network_field<&NetworkConfig::max_connections>, 1, 100'000}},
    ConfigKey{
        "network", "max_unauthenticated_connections",
        IntegerKey{network_field<&NetworkConfig::max_unauthenticated_connections>, 1, 100'000}},
    ConfigKey{"network", "max_connections_per_address",
              IntegerKey{network_field<&NetworkConfig::max_connections_per_address>, 1, 100'000}},
    ConfigKey{"network", "handshake_timeout_ms",
              IntegerKey{network_field<&NetworkConfig::handshake_timeout_ms>, 100, 600'000}},
    ConfigKey{"network", "idle_timeout_ms",
              IntegerKey{network_field<&NetworkConfig::idle_timeout_ms>, 1'000, day_ms}},
    ConfigKey{"network", "max_frame_bytes",
              IntegerKey{network_field<&NetworkConfig::max_frame_bytes>, 4096, 64 << 20}},
    ConfigKey{"network", "max_pending_outbound_bytes",
              IntegerKey{network_field<&NetworkConfig::max_pending_outbound_bytes>, 64 * 1024,
                         std::uint64_t{4} << 30}},
    ConfigKey{"network", "socket_send_buffer_bytes",
              IntegerKey{network_field<&NetworkConfig::socket_send_buffer_bytes>, 0, 64 << 20}},
    ConfigKey{"network", "max_inflight_inbound_bytes",
              IntegerKey{network_field<&NetworkConfig::max_inflight_inbound_bytes>, 64 * 1024,
                         std::uint64_t{4} << 30}},
    ConfigKey{"network", "max_inbound_bytes_per_s",
              IntegerKey{network_field<&NetworkConfig::max_inbound_bytes_per_s>, 1024,
                         std::uint64_t{1} << 40}},
    ConfigKey{"network", "max_inbound_burst_bytes",
              IntegerKey{network_field<&NetworkConfig::max_inbound_burst_bytes>, 64 * 1024,
                         std::uint64_t{1} << 40}},
    ConfigKey{"network", "throttle_disconnect_ms",
              IntegerKey{network_field<&NetworkConfig::throttle_disconnect_ms>, 100, day_ms}},
    ConfigKey{"network", "reconnect_min_ms",
              IntegerKey{network_field<&NetworkConfig::reconnect_min_ms>, 10, 3'600'000}},
    ConfigKey{"network", "reconnect_max_ms",
              IntegerKey{network_field<&NetworkConfig::reconnect_max_ms>, 10, day_ms}},
    ConfigKey{"network", "poll_interval_ms",
              IntegerKey{network_field<&NetworkConfig::poll_interval_ms>, 10, 60'000}},
    ConfigKey{"network", "serve_unknown_peers",
              FlagKey{network_field<&NetworkConfig::serve_unknown_peers>}},
    ConfigKey{"network", "publish_hold_confirmations",
              IntegerKey{network_field<&NetworkConfig::publish_hold_confirmations>, 1, 64}},
    ConfigKey{"network", "socks5_proxy",
              TextKey{network_field<&NetworkConfig::socks5_proxy>,
                      "must be \"\" or \"IP:PORT\" of a SOCKS5 proxy (an address, not a name)",
                      is_proxy_address}},
    ConfigKey{"network", "socks5_isolate", FlagKey{network_field<&NetworkConfig::socks5_isolate>}},

    ConfigKey{"http", "public_reads", FlagKey{http_field<&HttpConfig::public_reads>}},
    ConfigKey{"http", "max_body_bytes",
              IntegerKey{http_field<&HttpConfig::max_body_bytes>, 1024, 64 << 20}},
    ConfigKey{"http", "request_timeout_ms",
              IntegerKey{http_field<&HttpConfig::request_timeout_ms>, 100, 600'000}},
    ConfigKey{"http", "header_timeout_ms",
              IntegerKey{http_field<&HttpConfig::header_timeout_ms>, 100, 600'000}},
    ConfigKey{"http", "max_header_bytes",
              IntegerKey{http_field<&HttpConfig::max_header_bytes>, 1024, 1 << 20}},
    ConfigKey{"http", "decoy_file",
              TextKey{http_field<&HttpConfig::decoy_file>,
                      "must be a string (a path, or \"\" for a bare 404)"}},
    ConfigKey{"http", "max_page_size",
              IntegerKey{http_field<&HttpConfig::max_page_size>, 1, 10'000}},
    ConfigKey{"http", "max_search_offset",
              IntegerKey{http_field<&HttpConfig::max_search_offset>, 0, 10'000'000}},
    ConfigKey{"http", "max_query_bytes",
              IntegerKey{http_field<&HttpConfig::max_query_bytes>, 16, 64 * 1024}},
    ConfigKey{"http", "max_facet_matches",
              IntegerKey{http_field<&HttpConfig::max_facet_matches>, 1000, 100'000'000}},
    ConfigKey{"http", "cache_max_age_s",
              IntegerKey{http_field<&HttpConfig::cache_max_age_s>, 0, 86'400}},
    ConfigKey{"http", "threads", IntegerKey{http_field<&HttpConfig::threads>, 1, 64}},
    ConfigKey{"http", "max_pending_publishes",
              IntegerKey{http_field<&HttpConfig::max_pending_publishes>, 1, 64}},
    ConfigKey{"http", "index_interval_ms",
              IntegerKey{http_field<&HttpConfig::index_interval_ms>, 10, 600'000}},
    ConfigKey{"http", "public_url",
              TextKey{http_field<&HttpConfig::public_url>, "must be \"\" or an http(s):// URL",
                      is_public_url}},

    ConfigKey{"search", "shard",
              TextKey{search_field<&SearchConfig::shard>,
                      "must be \"\" (the whole archive) or \"I/N\" (part I of N, N <= 1024)",
                      is_shard_spec}},
    ConfigKey{"search", "remote",
              TextListKey{search_field<&SearchConfig::remote>,
                          "must be an array of \"tcp://HOST:PORT\" strings (at most 1024)",
                          is_shard_address, 1024}},
    ConfigKey{"search", "remote_timeout_ms",
              IntegerKey{search_field<&SearchConfig::remote_timeout_ms>, 100, 600'000}},

    ConfigKey{"tls", "cert_file",
              TextKey{tls_field<&TlsConfig::cert_file>, "must be a string (a path to a PEM file)"}},
    ConfigKey{"tls", "key_file",
              TextKey{tls_field<&TlsConfig::key_file>, "must be a string (a path to a PEM file)"}},
    ConfigKey{"tls", "listen",
              TextKey{tls_field<&TlsConfig::listen>, "must be \"\" or a string HOST:PORT"}},
    ConfigKey{"tls", "require", FlagKey{tls_field<&TlsConfig::require>}},

    ConfigKey{"log", "format",
              TextKey{log_field<&LogConfig::format>, "must be \"auto\", \"text\", \"json\" or \"journald\"",
                      is_log_format}},
    ConfigKey{"log", "level",
              TextKey{log_field<&LogConfig::level>,
                      "must be \"debug\", \"info\", \"warn\" or \"error\"", is_log_level}},
    ConfigKey{"log", "levels",
              TextKey{log_field<&LogConfig::levels>,
                      "must be \"AREA=LEVEL,...\" with areas node, net, gossip, publish, http, "
                      "index and levels debug, info, warn, error",
                      is_area_levels}},
    ConfigKey{"log", "journal_socket",
              TextKey{log_field<&LogConfig::journal_socket>, "must be a string (a path)"}},
};

const std::array rules = {
    ConfigRule{"network",
               [](const NodeConfig& c) {
                 const auto bytes = c.network.socket_send_buffer_bytes;
                 return bytes == 0 || bytes >= 4096;
               },
               "network.socket_send_buffer_bytes must be 0 (the kernel's choice) or at least 4096"},
    ConfigRule{"network",
               [](const NodeConfig& c) {
                 return c.network.reconnect_max_ms >= c.network.reconnect_min_ms;
               },
               "network.reconnect_max_ms must not be below network.reconnect_min_ms"},
    // A whole frame must fit the bucket, or the largest legal message could never be read.
    ConfigRule{"network",
               [](const NodeConfig& c) {
                 return c.network.max_inbound_burst_bytes >= c.network.max_frame_bytes;
               },
               "network.max_inbound_burst_bytes must be at least network.max_frame_bytes"},
    ConfigRule{
        "network",
        [](const NodeConfig& c) { return c.network.max_frame_bytes >= c.max_entry_bytes + 1024; },
        "network.max_frame_bytes must exceed limits.max_entry_bytes by at least 1024"},
    ConfigRule{"http",
               [](const NodeConfig& c) { return c.http.max_body_bytes >= c.max_entry_bytes; },
               "http.max_body_bytes must be at least limits.max_entry_bytes"},
    // A shard is searched through xapian-tcpsrv by the hub; it does not search shards itself.
    ConfigRule{"search",
               [](const NodeConfig& c) { return c.search.shard.empty() || c.search.remote.empty(); },
               "search.shard and search.remote exclude each other: a shard's index is served by "
               "xapian-tcpsrv, and the node that searches the shards keeps no index of its own"},
    ConfigRule{"tls",
               [](const NodeConfig& c) { return c.tls.cert_file.empty() == c.tls.key_file.empty(); },
               "tls.cert_file and tls.key_file go together: set both (PEM files) or neither"},
    ConfigRule{"tls",
               [](const NodeConfig& c) {
                 return !c.tls.cert_file.empty() || (c.tls.listen.empty() && !c.tls.require);
               },
               "tls.listen and tls.require need a certificate: set tls.cert_file and tls.key_file"},
};

}  // namespace

std::span<const ConfigSection> config_sections() {
  return sections;
}
std::span<const ConfigKey> config_keys() {
  return keys;
}
std::span<const ConfigRule> config_rules() {
  return rules;
}

}  // namespace ifex
