#include "node/config.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

namespace ifex {

std::string_view role_name(NodeRole role) {
  switch (role) {
    case NodeRole::member: return "member";
    case NodeRole::hub: return "hub";
    case NodeRole::relay: return "relay";
  }
  return "member";
}

Result<NodeRole> parse_role(std::string_view name) {
  for (NodeRole r : {NodeRole::member, NodeRole::hub, NodeRole::relay})
    if (role_name(r) == name) return r;
  return make_error("bad_role", "unknown role '" + std::string(name) +
                                    "': expected member, hub or relay");
}

namespace {

struct Reader {
  const std::filesystem::path& file;
  std::optional<Error> error;

  void fail(const std::string& message) {
    if (!error) error = make_error("bad_config", file.string() + ": " + message);
  }

  void check_keys(const toml::table& table, const std::string& section,
                  std::initializer_list<std::string_view> allowed) {
    for (auto&& [key, value] : table) {
      bool ok = std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end();
      if (!ok) fail("unknown key '" + (section.empty() ? "" : section + ".") +
                    std::string(key.str()) + "'");
    }
  }

  void read_uint(const toml::table& table, const std::string& section, std::string_view key,
                 std::uint64_t& out, std::uint64_t min, std::uint64_t max) {
    auto node = table[key];
    if (!node) return;
    auto v = node.value<std::int64_t>();
    if (!v || !node.is_integer()) return fail(section + "." + std::string(key) + " must be an integer");
    if (*v < 0 || static_cast<std::uint64_t>(*v) < min || static_cast<std::uint64_t>(*v) > max)
      return fail(section + "." + std::string(key) + " must be between " + std::to_string(min) +
                  " and " + std::to_string(max));
    out = static_cast<std::uint64_t>(*v);
  }

  const toml::table* section(const toml::table& root, std::string_view name) {
    auto node = root[name];
    if (!node) return nullptr;
    if (!node.is_table()) {
      fail("[" + std::string(name) + "] must be a table");
      return nullptr;
    }
    return node.as_table();
  }
};

}  // namespace

Result<NodeConfig> load_config(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file))
    return make_error("missing_config", "no configuration at " + file.string() +
                                            ": is this a data dir made by `ifexnode init`?");
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << e.source().begin;
    return make_error("bad_config",
                      file.string() + ": " + std::string(e.description()) + " at " + where.str());
  }
  NodeConfig config;
  Reader r{file, std::nullopt};
  r.check_keys(root, "", {"node", "store", "limits", "network", "http"});
  if (auto* node = r.section(root, "node")) {
    r.check_keys(*node, "node", {"name", "role"});
    if (auto name = (*node)["name"].value<std::string>()) config.name = *name;
    else if ((*node)["name"]) r.fail("node.name must be a string");
    else r.fail("node.name is missing (the organisation's name)");
    if (auto role = (*node)["role"].value<std::string>()) {
      auto parsed = parse_role(*role);
      if (parsed) config.role = *parsed;
      else r.fail(parsed.error().message);
    } else if ((*node)["role"]) {
      r.fail("node.role must be a string: member, hub or relay");
    }
  } else {
    r.fail("the [node] section is missing");
  }
  if (auto* store = r.section(root, "store")) {
    r.check_keys(*store, "store", {"map_size_mib"});
    r.read_uint(*store, "store", "map_size_mib", config.map_size_mib, 1, std::uint64_t{1} << 24);
  }
  if (auto* limits = r.section(root, "limits")) {
    r.check_keys(*limits, "limits", {"max_entry_bytes", "import_batch_entries", "max_clock_skew_s"});
    r.read_uint(*limits, "limits", "max_entry_bytes", config.max_entry_bytes, 1024, 16 << 20);
    r.read_uint(*limits, "limits", "import_batch_entries", config.import_batch_entries, 1,
                1'000'000);
    r.read_uint(*limits, "limits", "max_clock_skew_s", config.max_clock_skew_s, 0,
                10ull * 365 * 86'400);
  }
  if (auto* net = r.section(root, "network")) {
    NetworkConfig& n = config.network;
    r.check_keys(
        *net, "network",
        {"listen", "accept_unknown_peers", "max_connections", "max_unauthenticated_connections",
         "max_connections_per_address",
         "handshake_timeout_ms", "idle_timeout_ms", "max_frame_bytes", "max_pending_outbound_bytes",
         "socket_send_buffer_bytes", "max_inflight_inbound_bytes", "max_inbound_bytes_per_s",
         "max_inbound_burst_bytes", "throttle_disconnect_ms", "reconnect_min_ms",
         "reconnect_max_ms", "poll_interval_ms"});
    if (auto node = (*net)["listen"]; node) {
      if (auto v = node.value<std::string>()) n.listen = *v;
      else r.fail("network.listen must be a string HOST:PORT");
    }
    if (auto node = (*net)["accept_unknown_peers"]; node) {
      if (auto v = node.value<bool>(); v && node.is_boolean()) n.accept_unknown_peers = *v;
      else r.fail("network.accept_unknown_peers must be true or false");
    }
    r.read_uint(*net, "network", "max_connections", n.max_connections, 1, 100'000);
    r.read_uint(*net, "network", "max_unauthenticated_connections",
                n.max_unauthenticated_connections, 1, 100'000);
    r.read_uint(*net, "network", "max_connections_per_address", n.max_connections_per_address, 1,
                100'000);
    r.read_uint(*net, "network", "handshake_timeout_ms", n.handshake_timeout_ms, 100, 600'000);
    r.read_uint(*net, "network", "idle_timeout_ms", n.idle_timeout_ms, 1'000, 86'400'000);
    r.read_uint(*net, "network", "max_frame_bytes", n.max_frame_bytes, 4096, 64 << 20);
    r.read_uint(*net, "network", "max_pending_outbound_bytes", n.max_pending_outbound_bytes,
                64 * 1024, std::uint64_t{4} << 30);
    r.read_uint(*net, "network", "socket_send_buffer_bytes", n.socket_send_buffer_bytes, 0,
                64 << 20);
    if (n.socket_send_buffer_bytes > 0 && n.socket_send_buffer_bytes < 4096)
      r.fail("network.socket_send_buffer_bytes must be 0 (the kernel's choice) or at least 4096");
    r.read_uint(*net, "network", "max_inflight_inbound_bytes", n.max_inflight_inbound_bytes,
                64 * 1024, std::uint64_t{4} << 30);
    r.read_uint(*net, "network", "max_inbound_bytes_per_s", n.max_inbound_bytes_per_s, 1024,
                std::uint64_t{1} << 40);
    r.read_uint(*net, "network", "max_inbound_burst_bytes", n.max_inbound_burst_bytes, 64 * 1024,
                std::uint64_t{1} << 40);
    r.read_uint(*net, "network", "throttle_disconnect_ms", n.throttle_disconnect_ms, 100,
                86'400'000);
    r.read_uint(*net, "network", "reconnect_min_ms", n.reconnect_min_ms, 10, 3'600'000);
    r.read_uint(*net, "network", "reconnect_max_ms", n.reconnect_max_ms, 10, 86'400'000);
    r.read_uint(*net, "network", "poll_interval_ms", n.poll_interval_ms, 10, 60'000);
    if (n.reconnect_max_ms < n.reconnect_min_ms)
      r.fail("network.reconnect_max_ms must not be below network.reconnect_min_ms");
    // A whole frame must fit the bucket, or the largest legal message could never be read.
    if (n.max_inbound_burst_bytes < n.max_frame_bytes)
      r.fail("network.max_inbound_burst_bytes must be at least network.max_frame_bytes");
    if (n.max_frame_bytes < config.max_entry_bytes + 1024)
      r.fail("network.max_frame_bytes must exceed limits.max_entry_bytes by at least 1024");
  }
  config.http.public_reads = config.role != NodeRole::relay;
  if (auto* http = r.section(root, "http")) {
    HttpConfig& h = config.http;
    r.check_keys(*http, "http",
                 {"public_reads", "max_body_bytes", "request_timeout_ms", "header_timeout_ms",
                  "max_header_bytes", "decoy_file", "max_page_size",
                  "max_search_offset", "max_query_bytes", "cache_max_age_s", "threads",
                  "index_interval_ms", "public_url"});
    if (auto node = (*http)["public_reads"]; node) {
      if (auto v = node.value<bool>(); v && node.is_boolean()) h.public_reads = *v;
      else r.fail("http.public_reads must be true or false");
    }
    if (auto node = (*http)["public_url"]; node) {
      auto v = node.value<std::string>();
      if (v && (v->empty() || v->starts_with("http://") || v->starts_with("https://")))
        h.public_url = *v;
      else r.fail("http.public_url must be \"\" or an http(s):// URL");
    }
    r.read_uint(*http, "http", "max_body_bytes", h.max_body_bytes, 1024, 64 << 20);
    r.read_uint(*http, "http", "request_timeout_ms", h.request_timeout_ms, 100, 600'000);
    r.read_uint(*http, "http", "header_timeout_ms", h.header_timeout_ms, 100, 600'000);
    r.read_uint(*http, "http", "max_header_bytes", h.max_header_bytes, 1024, 1 << 20);
    if (auto node = (*http)["decoy_file"]; node) {
      if (auto v = node.value<std::string>()) h.decoy_file = *v;
      else r.fail("http.decoy_file must be a string (a path, or \"\" for a bare 404)");
    }
    r.read_uint(*http, "http", "max_page_size", h.max_page_size, 1, 10'000);
    r.read_uint(*http, "http", "max_search_offset", h.max_search_offset, 0, 10'000'000);
    r.read_uint(*http, "http", "max_query_bytes", h.max_query_bytes, 16, 64 * 1024);
    r.read_uint(*http, "http", "cache_max_age_s", h.cache_max_age_s, 0, 86'400);
    r.read_uint(*http, "http", "threads", h.threads, 1, 64);
    r.read_uint(*http, "http", "index_interval_ms", h.index_interval_ms, 10, 600'000);
    if (h.max_body_bytes < config.max_entry_bytes)
      r.fail("http.max_body_bytes must be at least limits.max_entry_bytes");
  }
  // Checked last, so that a wrong value is reported before a missing one. A file cut short
  // (a full disk, a bad edit) must not start a node on the default address or as a member.
  if (!root["node"]["role"]) r.fail("node.role is missing (member, hub or relay)");
  if (!root["network"]["listen"])
    r.fail("network.listen is missing (HOST:PORT, e.g. \"127.0.0.1:7400\"); "
           "docs/operations.md lists the required keys");
  if (r.error) return *r.error;
  return config;
}

Status write_new_config(const std::filesystem::path& file, const NodeConfig& config) {
  toml::table node{{"name", config.name}, {"role", std::string(role_name(config.role))}};
  toml::table store{{"map_size_mib", static_cast<std::int64_t>(config.map_size_mib)}};
  toml::table limits{{"max_entry_bytes", static_cast<std::int64_t>(config.max_entry_bytes)},
                     {"import_batch_entries", static_cast<std::int64_t>(config.import_batch_entries)},
                     {"max_clock_skew_s", static_cast<std::int64_t>(config.max_clock_skew_s)}};
  const NetworkConfig& n = config.network;
  toml::table network{
      {"listen", n.listen},
      {"accept_unknown_peers", n.accept_unknown_peers},
      {"max_connections", static_cast<std::int64_t>(n.max_connections)},
      {"max_unauthenticated_connections", static_cast<std::int64_t>(n.max_unauthenticated_connections)},
      {"max_connections_per_address", static_cast<std::int64_t>(n.max_connections_per_address)},
      {"handshake_timeout_ms", static_cast<std::int64_t>(n.handshake_timeout_ms)},
      {"idle_timeout_ms", static_cast<std::int64_t>(n.idle_timeout_ms)},
      {"max_frame_bytes", static_cast<std::int64_t>(n.max_frame_bytes)},
      {"max_pending_outbound_bytes", static_cast<std::int64_t>(n.max_pending_outbound_bytes)},
      {"socket_send_buffer_bytes", static_cast<std::int64_t>(n.socket_send_buffer_bytes)},
      {"max_inflight_inbound_bytes", static_cast<std::int64_t>(n.max_inflight_inbound_bytes)},
      {"max_inbound_bytes_per_s", static_cast<std::int64_t>(n.max_inbound_bytes_per_s)},
      {"max_inbound_burst_bytes", static_cast<std::int64_t>(n.max_inbound_burst_bytes)},
      {"throttle_disconnect_ms", static_cast<std::int64_t>(n.throttle_disconnect_ms)},
      {"reconnect_min_ms", static_cast<std::int64_t>(n.reconnect_min_ms)},
      {"reconnect_max_ms", static_cast<std::int64_t>(n.reconnect_max_ms)},
      {"poll_interval_ms", static_cast<std::int64_t>(n.poll_interval_ms)}};
  const HttpConfig& h = config.http;
  toml::table http{
      {"public_reads", h.public_reads},
      {"max_body_bytes", static_cast<std::int64_t>(h.max_body_bytes)},
      {"request_timeout_ms", static_cast<std::int64_t>(h.request_timeout_ms)},
      {"header_timeout_ms", static_cast<std::int64_t>(h.header_timeout_ms)},
      {"max_header_bytes", static_cast<std::int64_t>(h.max_header_bytes)},
      {"decoy_file", h.decoy_file},
      {"max_page_size", static_cast<std::int64_t>(h.max_page_size)},
      {"max_search_offset", static_cast<std::int64_t>(h.max_search_offset)},
      {"max_query_bytes", static_cast<std::int64_t>(h.max_query_bytes)},
      {"cache_max_age_s", static_cast<std::int64_t>(h.cache_max_age_s)},
      {"threads", static_cast<std::int64_t>(h.threads)},
      {"index_interval_ms", static_cast<std::int64_t>(h.index_interval_ms)},
      {"public_url", h.public_url}};
  std::ostringstream out;
  out << "# ifexnode configuration; every key is described in docs/operations.md.\n\n"
      << "[node]\n" << node << "\n\n"
      << "# LMDB reserves this much address space; the file grows only as data arrives.\n"
      << "[store]\n" << store << "\n\n"
      << "[limits]\n" << limits << "\n\n"
      << "# The gossip server and its limits (docs/operations.md, \"Configuration "
         "(`ifexnode.toml`)\"). listen is required.\n"
      << "[network]\n" << network << "\n\n"
      << "# The HTTP API, feeds and web page on the same port (docs/http-api.md).\n"
      << "[http]\n" << http << "\n";
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0)
    return make_error(errno == EEXIST ? "exists" : "io",
                      "cannot create " + file.string() + ": " + std::strerror(errno));
  std::string text = out.str();
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return make_error("io", "cannot write " + file.string());
  return Status::success();
}

}  // namespace ifex
