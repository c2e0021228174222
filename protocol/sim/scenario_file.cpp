// The only file that includes toml++ (a large header that is slow to compile).
#include "protocol/sim/scenario_file.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>

#include "protocol/roster_change.hpp"

namespace ifex::sim {

namespace {

struct Reader {
  std::string origin;
  std::optional<Error> error;

  void fail(const std::string& message) {
    if (!error) error = make_error("bad_scenario", origin + ": " + message);
  }

  static std::string name(const std::string& section, std::string_view key) {
    return section.empty() ? std::string(key) : section + "." + std::string(key);
  }

  void check_keys(const toml::table& table, const std::string& section,
                  std::initializer_list<std::string_view> allowed) {
    for (auto&& [key, value] : table)
      if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end())
        fail("unknown key '" + name(section, key.str()) + "'");
  }

  const toml::table* table(const toml::table& root, std::string_view key) {
    auto node = root[key];
    if (!node) return nullptr;
    if (!node.is_table()) {
      fail("[" + std::string(key) + "] must be a table");
      return nullptr;
    }
    return node.as_table();
  }

  void read_uint(const toml::table& t, const std::string& section, std::string_view key,
                 std::uint64_t& out, std::uint64_t min, std::uint64_t max) {
    auto node = t[key];
    if (!node) return;
    auto v = node.value<std::int64_t>();
    if (!node.is_integer() || !v) return fail(name(section, key) + " must be an integer");
    if (*v < 0 || static_cast<std::uint64_t>(*v) < min || static_cast<std::uint64_t>(*v) > max)
      return fail(name(section, key) + " must be between " + std::to_string(min) + " and " +
                  std::to_string(max));
    out = static_cast<std::uint64_t>(*v);
  }

  void read_size(const toml::table& t, const std::string& section, std::string_view key,
                 std::size_t& out, std::uint64_t min, std::uint64_t max) {
    std::uint64_t v = out;
    read_uint(t, section, key, v, min, max);
    out = static_cast<std::size_t>(v);
  }

  void read_bool(const toml::table& t, const std::string& section, std::string_view key,
                 bool& out) {
    auto node = t[key];
    if (!node) return;
    if (!node.is_boolean()) return fail(name(section, key) + " must be true or false");
    out = *node.value<bool>();
  }

  // Integers and floats alike.
  void read_number(const toml::table& t, const std::string& section, std::string_view key,
                   double& out, double min, double max) {
    auto node = t[key];
    if (!node) return;
    if (!node.is_number()) return fail(name(section, key) + " must be a number");
    double v = *node.value<double>();
    if (!std::isfinite(v) || v < min || v > max)
      return fail(name(section, key) + " must be between " + std::to_string(min) + " and " +
                  std::to_string(max));
    out = v;
  }

  // Seconds in the file, milliseconds in the scenario.
  void read_seconds(const toml::table& t, const std::string& section, std::string_view key,
                    std::uint64_t& out_ms) {
    if (!t[key]) return;
    double s = 0;
    read_number(t, section, key, s, 0, 1e7);
    out_ms = static_cast<std::uint64_t>(std::llround(s * 1000));
  }
  void read_seconds(const toml::table& t, const std::string& section, std::string_view key,
                    std::optional<std::uint64_t>& out_ms) {
    if (!t[key]) return;
    std::uint64_t ms = 0;
    read_seconds(t, section, key, ms);
    out_ms = ms;
  }

  // [min, max], two integers.
  void read_range(const toml::table& t, const std::string& section, std::string_view key,
                  Range& out, std::uint64_t min, std::uint64_t max) {
    auto node = t[key];
    if (!node) return;
    const toml::array* a = node.as_array();
    if (!a || a->size() != 2 || !(*a)[0].is_integer() || !(*a)[1].is_integer())
      return fail(name(section, key) + " must be [min, max], two integers");
    const std::int64_t lo = *(*a)[0].value<std::int64_t>();
    const std::int64_t hi = *(*a)[1].value<std::int64_t>();
    if (lo < 0 || hi < lo || static_cast<std::uint64_t>(lo) < min ||
        static_cast<std::uint64_t>(hi) > max)
      return fail(name(section, key) + " must have " + std::to_string(min) +
                  " <= min <= max <= " + std::to_string(max));
    out = {static_cast<std::uint64_t>(lo), static_cast<std::uint64_t>(hi)};
  }

  std::string read_string(const toml::table& t, const std::string& section, std::string_view key) {
    auto node = t[key];
    if (!node) return "";
    if (!node.is_string()) {
      fail(name(section, key) + " must be a string");
      return "";
    }
    return *node.value<std::string>();
  }

  void nodes(const toml::table& t, Scenario& s) {
    check_keys(t, "nodes", {"hub", "members", "relays"});
    read_bool(t, "nodes", "hub", s.hub);
    read_uint(t, "nodes", "members", s.members, 2, 1'000'000);
    read_uint(t, "nodes", "relays", s.relays, 0, 1'000'000);
  }

  void links(const toml::table& t, LinkSettings& l) {
    check_keys(t, "links",
               {"latency_ms", "loss", "rto_ms", "bandwidth_bytes_per_s", "degree", "connect_rtts",
                "failure_mtbf_s", "window_bytes"});
    read_range(t, "links", "latency_ms", l.latency_ms, 0, 60'000);
    read_number(t, "links", "loss", l.loss, 0, 0.5);
    read_range(t, "links", "rto_ms", l.rto_ms, 1, 120'000);
    read_uint(t, "links", "bandwidth_bytes_per_s", l.bandwidth_bytes_per_s, 1'000, 100'000'000'000);
    read_range(t, "links", "degree", l.degree, 1, 1'000);
    read_uint(t, "links", "connect_rtts", l.connect_rtts, 0, 100);
    read_number(t, "links", "failure_mtbf_s", l.failure_mtbf_s, 0, 1e9);
    read_uint(t, "links", "window_bytes", l.window_bytes, 1'024, 1ull << 30);
  }

  void reconnect(const toml::table& t, ReconnectSettings& r) {
    check_keys(t, "reconnect", {"enabled", "backoff_ms"});
    read_bool(t, "reconnect", "enabled", r.enabled);
    read_range(t, "reconnect", "backoff_ms", r.backoff_ms, 1, 86'400'000);
  }

  void publish(const toml::table& t, PublishSettings& p) {
    check_keys(t, "publish", {"start_s", "count", "interval_ms", "payload_bytes", "warmup"});
    read_seconds(t, "publish", "start_s", p.start_ms);
    read_uint(t, "publish", "count", p.count, 0, 10'000'000);
    read_number(t, "publish", "interval_ms", p.interval_ms, 0, 1e9);
    // An entry is at most 64 KiB, header and signature included.
    read_uint(t, "publish", "payload_bytes", p.payload_bytes, 1, 60'000);
    read_uint(t, "publish", "warmup", p.warmup, 0, 10'000'000);
    if (p.warmup > p.count) fail("publish.warmup must not exceed publish.count");
  }

  void replicator(const toml::table& t, ReplicatorSettings& r) {
    check_keys(t, "replicator",
               {"graft_timeout_ms", "graft_retry_ms", "graft_fanout", "min_eager_peers",
                "prune_after_duplicates", "revert_needless_grafts", "silent_peer_entries",
                "silent_peer_ms", "tick_ms", "pending_entries", "prune", "gossip_version"});
    read_bool(t, "replicator", "prune", r.prune);
    std::uint64_t version = static_cast<std::uint64_t>(r.gossip_version);
    read_uint(t, "replicator", "gossip_version", version, 1,
              static_cast<std::uint64_t>(newest_gossip_version));
    r.gossip_version = static_cast<GossipVersion>(version);
    ReplicatorConfig& c = r.config;
    read_uint(t, "replicator", "graft_timeout_ms", c.graft_timeout_ms, 1, 3'600'000);
    read_uint(t, "replicator", "graft_retry_ms", c.graft_retry_ms, 1, 3'600'000);
    read_size(t, "replicator", "graft_fanout", c.graft_fanout, 1, 64);
    read_size(t, "replicator", "min_eager_peers", c.min_eager_peers, 0, 64);
    read_size(t, "replicator", "prune_after_duplicates", c.prune_after_duplicates, 1, 1000);
    read_bool(t, "replicator", "revert_needless_grafts", c.revert_needless_grafts);
    read_size(t, "replicator", "silent_peer_entries", c.silent_peer_entries, 0, 10'000'000);
    read_uint(t, "replicator", "silent_peer_ms", c.silent_peer_ms, 0, 3'600'000);
    read_uint(t, "replicator", "tick_ms", r.tick_ms, 1, 60'000);
    read_size(t, "replicator", "pending_entries", r.pending_entries, 1, 10'000'000);
  }

  void roster(const toml::table& t, RosterSettings& r) {
    check_keys(t, "roster",
               {"joiners", "threshold", "start_s", "window_s", "conflicts", "proposals",
                "approve_interval_ms", "refresh_ms"});
    r.enabled = true;
    read_uint(t, "roster", "joiners", r.joiners, 0, 1'000);
    read_uint(t, "roster", "threshold", r.threshold, 1, max_federation_members);
    read_seconds(t, "roster", "start_s", r.start_ms);
    read_seconds(t, "roster", "window_s", r.window_ms);
    read_uint(t, "roster", "conflicts", r.conflicts, 0, 1'000);
    read_uint(t, "roster", "proposals", r.proposals, 0, 100'000);
    read_number(t, "roster", "approve_interval_ms", r.approve_interval_ms, 1, 1e9);
    read_uint(t, "roster", "refresh_ms", r.refresh_ms, 1, 60'000);
  }

  std::optional<ScenarioEvent> event(const toml::table& t, std::size_t index) {
    const std::string section = "events[" + std::to_string(index) + "]";
    const std::string type = read_string(t, section, "type");
    if (type == "block") {
      check_keys(t, section, {"type", "at_s", "until_s", "target", "fraction"});
      BlockEvent e;
      read_seconds(t, section, "at_s", e.at_ms);
      read_seconds(t, section, "until_s", e.until_ms);
      const std::string target = read_string(t, section, "target");
      if (target == "hub")
        e.target = Target::hub;
      else if (target == "members")
        e.target = Target::members;
      else if (target == "relays")
        e.target = Target::relays;
      else
        fail(section + ".target must be \"hub\", \"members\" or \"relays\"");
      read_number(t, section, "fraction", e.fraction, 0, 1);
      if (e.until_ms && *e.until_ms <= e.at_ms) fail(section + ".until_s must be after at_s");
      return e;
    }
    if (type == "partition") {
      check_keys(t, section, {"type", "at_s", "heal_s", "fraction"});
      PartitionEvent e;
      read_seconds(t, section, "at_s", e.at_ms);
      if (!t["heal_s"]) fail(section + ".heal_s is required");
      read_seconds(t, section, "heal_s", e.heal_ms);
      read_number(t, section, "fraction", e.fraction, 0, 1);
      if (e.heal_ms <= e.at_ms) fail(section + ".heal_s must be after at_s");
      return e;
    }
    if (type == "sybil") {
      check_keys(t, section, {"type", "at_s", "count", "links", "forge_at_s"});
      SybilEvent e;
      read_seconds(t, section, "at_s", e.at_ms);
      read_uint(t, section, "count", e.count, 1, 1'000'000);
      read_uint(t, section, "links", e.links, 1, 1'000'000);
      read_seconds(t, section, "forge_at_s", e.forge_at_ms);
      return e;
    }
    if (type == "equivocate") {
      check_keys(t, section, {"type", "at_s", "behind_partition"});
      EquivocateEvent e;
      read_seconds(t, section, "at_s", e.at_ms);
      if (auto v = t["behind_partition"]) {
        if (!v.is_boolean()) fail(section + ".behind_partition must be true or false");
        e.behind_partition = v.value_or(false);
      }
      return e;
    }
    fail(section + ".type must be \"block\", \"partition\", \"sybil\" or \"equivocate\"");
    return std::nullopt;
  }

  Scenario scenario(const toml::table& root) {
    Scenario s;
    check_keys(root, "",
               {"name", "seed", "duration_s", "nodes", "links", "reconnect", "publish",
                "replicator", "roster", "events"});
    if (auto n = read_string(root, "", "name"); !n.empty()) s.name = n;
    read_uint(root, "", "seed", s.seed, 0, std::numeric_limits<std::int64_t>::max());
    read_seconds(root, "", "duration_s", s.duration_ms);
    if (auto* t = table(root, "nodes")) nodes(*t, s);
    if (auto* t = table(root, "links")) links(*t, s.links);
    if (auto* t = table(root, "reconnect")) reconnect(*t, s.reconnect);
    if (auto* t = table(root, "publish")) publish(*t, s.publish);
    if (auto* t = table(root, "replicator")) replicator(*t, s.replicator);
    if (auto* t = table(root, "roster")) roster(*t, s.roster);
    if (auto node = root["events"]) {
      const toml::array* events = node.as_array();
      if (!events) fail("events must be an array of tables ([[events]])");
      for (std::size_t i = 0; events && i < events->size(); ++i) {
        const toml::table* t = (*events)[i].as_table();
        if (!t) {
          fail("events[" + std::to_string(i) + "] must be a table");
          continue;
        }
        if (auto e = event(*t, i)) s.events.push_back(*e);
      }
    }
    if (s.duration_ms == 0) fail("duration_s must be above 0");
    // The genesis names the members that are not joiners, at least K of them.
    if (s.roster.enabled &&
        (s.roster.joiners >= s.members || s.members - s.roster.joiners < s.roster.threshold))
      fail("roster.threshold must not exceed the members the genesis names (members - joiners)");
    return s;
  }
};

}  // namespace

Result<Scenario> parse_scenario(std::string_view toml_text, std::string_view origin) {
  Reader reader{std::string(origin), std::nullopt};
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << e.source().begin;
    return make_error("bad_scenario", std::string(origin) + ": " + std::string(e.description()) +
                                          " (" + where.str() + ")");
  }
  Scenario s = reader.scenario(root);
  if (reader.error) return *reader.error;
  return s;
}

Result<Scenario> load_scenario(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error("missing_scenario", "cannot read " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), file.string());
}

}  // namespace ifex::sim
