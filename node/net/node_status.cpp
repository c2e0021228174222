#include "node/net/node_status.hpp"

#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <set>

#include "keys/key_text.hpp"
#include "node/codec/entry_json.hpp"
#include "node/base/wall_clock.hpp"

namespace ifex {

NodeStatus::NodeStatus(boost::asio::io_context& core_ioc, std::filesystem::path status_file,
                       StatusSources sources)
    : file_(std::move(status_file)), src_(sources), timer_(core_ioc) {}

void NodeStatus::start() {
  write();
  schedule();
}

void NodeStatus::stop() {
  stopped_ = true;
  timer_.cancel();
  std::error_code ec;
  std::filesystem::remove(file_, ec);
}

void NodeStatus::schedule() {
  timer_.expires_after(std::chrono::seconds(1));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    write();
    schedule();
  });
}

std::string NodeStatus::snapshot() const {
  MutexLock lock(mutex_);
  return snapshot_;
}

// Configured peers, then nodes seen within recently_seen_ms that are not (inbound members, a
// peer since removed): a member whose node stops stays listed, "down", with when it was last
// seen, rather than vanishing from the hub's list.
boost::json::array NodeStatus::peers_json() const {
  namespace json = boost::json;
  constexpr std::size_t max_unconfigured = 256;
  const std::uint64_t now = wall_clock_ms();
  json::array peers;
  std::set<PublicKey> listed;
  auto describe = [&](const PublicKey& key, const std::vector<std::string>* urls) {
    const std::string key_text = public_key_to_text(key);
    // `public_key` is what this list said before docs/http-api.md's `key` was followed.
    json::object p{{"key", key_text}, {"public_key", key_text}, {"fingerprint", fingerprint(key)}};
    const PeerStatus st = src_.peers.get(key);
    if (auto name = src_.membership.name(key)) p["name"] = *name;
    p["configured"] = urls != nullptr;
    json::array u;
    if (urls)
      for (const auto& url : *urls) u.emplace_back(url);
    p["urls"] = std::move(u);
    p["connected"] = st.connected;
    p["state"] = st.connected ? "up" : "down";
    if (st.connected) {
      p["since"] = iso8601_utc(st.connected_since_ms);
      p["last_seen"] = iso8601_utc(now);
    } else {
      // Never connected while this node ran: down at least since it started.
      p["down_since"] = iso8601_utc(st.last_seen_ms ? st.last_seen_ms : src_.started_wall_ms);
      if (st.last_seen_ms) p["last_seen"] = iso8601_utc(st.last_seen_ms);
    }
    for (const auto& [id, l] : src_.links) {
      if (l.key != key) continue;
      p["direction"] = l.outbound ? "outbound" : "inbound";
      p["address"] = l.address;
      if (auto rs = src_.replicator.peer_state(id)) {
        p["eager"] = rs->eager;
        p["syncing"] = rs->syncing;
      }
    }
    if (!st.last_error.empty()) {
      p["last_error"] = st.last_error;
      p["last_error_at"] = iso8601_utc(st.last_error_ms);
    }
    peers.push_back(std::move(p));
  };
  for (const auto& rec : src_.membership.peers()) {
    if (rec.key == src_.own_key || !listed.insert(rec.key).second) continue;
    describe(rec.key, &rec.urls);
  }
  for (const auto& [id, l] : src_.links)
    if (listed.insert(l.key).second) describe(l.key, nullptr);
  for (const PublicKey& key : src_.peers.recent(listed, now, max_unconfigured))
    describe(key, nullptr);
  return peers;
}

void NodeStatus::write() {
  namespace json = boost::json;
  {
    std::set<PublicKey> configured;
    for (const auto& p : src_.membership.peers()) configured.insert(p.key);
    src_.peers.forget_old(configured, wall_clock_ms());
  }
  json::array peers = peers_json();

  const ReplicatorStats& rs = src_.replicator.stats();
  json::object counters = counters_json(src_.counters);
  counters["entries_pushed"] = rs.entries_pushed;
  counters["entries_synced"] = rs.entries_synced;
  counters["have_notes_sent"] = rs.have_notes_sent;
  counters["progress_notes_sent"] = rs.progress_notes_sent;
  counters["prunes_sent"] = rs.prunes_sent;
  counters["grafts_sent"] = rs.grafts_sent;
  counters["head_conflicts"] = rs.head_conflicts;
  counters["mismatch_grafts"] = rs.mismatch_grafts;
  counters["clock_parts_sent"] = rs.clock_parts_sent;
  counters["clocks_narrowed"] = rs.clocks_narrowed;
  counters["clock_authors_left_out"] = rs.clock_authors_left_out;
  counters["pending_out_of_order"] = src_.writer.held_count();
  json::object status{{"pid", static_cast<std::int64_t>(::getpid())},
                      {"started_at", iso8601_utc(src_.started_wall_ms)},
                      {"updated_at", iso8601_utc(wall_clock_ms())},
                      {"listen", src_.config.network.listen},
                      {"public_key", public_key_to_text(src_.own_key)},
                      {"connections", src_.links.size()},
                      {"peers", std::move(peers)},
                      {"refused_authors", src_.refused.json()},
                      {"publishing", src_.publishing.json()},
                      {"counters", std::move(counters)}};
  std::string text = json::serialize(status);
  {
    MutexLock lock(mutex_);
    snapshot_ = text;
  }
  std::filesystem::path tmp = file_;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text << "\n";
    if (!out) return;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file_, ec);
}

}  // namespace ifex
