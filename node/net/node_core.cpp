#include "node/net/node_core.hpp"

#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <algorithm>
#include <cstring>
#include <fstream>
#include <iostream>

#include "keys/key_text.hpp"
#include "node/base/log.hpp"
#include "node/base/wall_clock.hpp"
#include "node/codec/entry_json.hpp"
#include "protocol/alert.hpp"

namespace ifex {

namespace asio = boost::asio;

// The store seen through the replicator's LogReader interface.
class NodeCore::StoreReader : public LogReader {
 public:
  explicit StoreReader(const Store& store) : store_(store) {}
  LogHead head(const PublicKey& author) const override {
    auto h = store_.head(author);
    return h && *h ? **h : LogHead{};
  }
  std::vector<Bytes> read(const PublicKey& author, std::uint64_t from_seq, std::size_t max_count,
                          std::size_t max_bytes) const override {
    auto raw = store_.log_bytes(author, from_seq, max_count, max_bytes);
    return raw ? std::move(*raw) : std::vector<Bytes>{};
  }

 private:
  const Store& store_;
};


NodeCore::NodeCore(asio::io_context& core_ioc, Store& store, const PublicKey& own_key,
                   const NodeConfig& config, std::filesystem::path status_file)
    : ioc_(core_ioc),
      store_(store),
      own_key_(own_key),
      config_(config),
      status_file_(std::move(status_file)),
      started_wall_ms_(wall_clock_ms()),
      reader_(std::make_unique<StoreReader>(store)),
      tick_timer_(core_ioc),
      poll_timer_(core_ioc),
      status_timer_(core_ioc) {
  ReplicatorConfig rc;
  rc.max_message_bytes = config.network.max_frame_bytes - 1024;
  // Our key differs from every other node's: so does where we start serving a catch-up.
  std::memcpy(&rc.sync_start_seed, own_key.data(), sizeof rc.sync_start_seed);
  replicator_ = std::make_unique<Replicator>(rc, *reader_,
                                             [this](const PublicKey& a) { return accepts(a); });
  writer_ = std::make_unique<StoreWriter>(
      store, *replicator_, counters_,
      [this](PeerId id) -> std::optional<PublicKey> {
        auto it = links_.find(id);
        if (it == links_.end()) return std::nullopt;
        return it->second.key;
      },
      [this] { return now_ms(); });
  // Logs frozen before a restart stay frozen: without this the replicator would keep awaiting
  // (and grafting for) entries of an equivocating author the store will never accept.
  if (auto proofs = store_.fork_proofs())
    for (const ForkProof& proof : *proofs)
      replicator_->on_fork_proof(encode_fork_proof(proof), std::nullopt);
  else
    log_error("cannot read stored fork proofs: " + proofs.error().message);
}

NodeCore::~NodeCore() = default;

std::uint64_t NodeCore::now_ms() const {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now() - epoch_)
                                        .count());
}

void NodeCore::start() {
  asio::post(ioc_, [this] {
    refresh_membership();
    writer_->load_heads();
    schedule_tick();
    schedule_poll();
    write_status();
    schedule_status();
  });
}

void NodeCore::stop() {
  asio::post(ioc_, [this] {
    stopped_ = true;
    tick_timer_.cancel();
    poll_timer_.cancel();
    status_timer_.cancel();
    for (auto& [id, l] : links_) l.link->close(CloseCause::shutdown, "node stopping", {});
    std::error_code ec;
    std::filesystem::remove(status_file_, ec);
  });
}

bool NodeCore::accepts(const PublicKey& author) const {
  if (author == own_key_ || config_.role == NodeRole::relay) return true;
  std::lock_guard lock(membership_mutex_);
  return roster_.count(author) > 0;
}

bool NodeCore::is_welcome(const PublicKey& key) const {
  if (config_.network.accept_unknown_peers || config_.role == NodeRole::relay) return true;
  std::lock_guard lock(membership_mutex_);
  if (roster_.count(key)) return true;
  for (const auto& p : peers_)
    if (p.key == key) return true;
  return false;
}

bool NodeCore::is_connected(const PublicKey& key) const {
  std::lock_guard lock(membership_mutex_);
  return connected_keys_.count(key) > 0;
}

std::vector<PeerRecord> NodeCore::dial_list() const {
  std::lock_guard lock(membership_mutex_);
  return peers_;
}

void NodeCore::refresh_membership() {
  auto roster = store_.roster();
  auto peers = store_.peers();
  bool roster_changed = false;
  {
    std::lock_guard lock(membership_mutex_);
    if (roster) {
      std::set<PublicKey> fresh;
      roster_names_.clear();
      for (const auto& m : *roster) {
        fresh.insert(m.key);
        roster_names_[m.key] = m.name;
      }
      roster_changed = fresh != roster_;
      roster_ = std::move(fresh);
      for (const PublicKey& key : roster_) refused_authors_.erase(key);
    }
    if (peers) peers_ = std::move(*peers);
  }
  // Peers decide what to send us from our clock: tell them what we accept now.
  if (roster_changed && replicator_) {
    replicator_->on_local_clock_changed(local_clock());
    send_outgoing();
  }
}

ClockMsg NodeCore::local_clock() const {
  ClockMsg clock;
  clock.accepts_any_author = config_.role == NodeRole::relay;
  std::map<PublicKey, std::uint64_t> heads;
  {
    std::lock_guard lock(membership_mutex_);
    for (const auto& key : roster_) heads[key] = 0;
  }
  heads[own_key_] = 0;
  for (const auto& [author, head] : writer_->known_heads()) heads[author] = head.seq;
  for (const auto& [author, seq] : heads)
    if (seq > 0 || accepts(author)) clock.heads.push_back({author, seq});
  return clock;
}

// ---- connections ----

void NodeCore::session_up(PeerId id, const PublicKey& key, bool outbound, std::string address,
                          std::shared_ptr<PeerLink> link) {
  asio::post(ioc_, [this, id, key, outbound, address = std::move(address),
                    link = std::move(link)]() mutable {
    if (stopped_) return link->close(CloseCause::shutdown, "node stopping", {});
    // Two nodes that dial each other at once end up with two links; both ends keep the one
    // dialed by the smaller key, so they agree without talking about it.
    for (auto it = links_.begin(); it != links_.end(); ++it) {
      if (it->second.key != key) continue;
      note_duplicate(key, it->second, outbound, address);
      const PublicKey& existing_dialer = it->second.outbound ? own_key_ : key;
      const PublicKey& new_dialer = outbound ? own_key_ : key;
      if (existing_dialer == new_dialer || existing_dialer < new_dialer) {
        link->close(CloseCause::duplicate_link, "duplicate connection", {});
        return;
      }
      it->second.link->close(CloseCause::duplicate_link, "duplicate connection", {});
      replicator_->on_disconnected(it->first);
      links_.erase(it);
      break;
    }
    links_[id] = Link{key, outbound, address, link, wall_clock_ms()};
    {
      std::lock_guard lock(membership_mutex_);
      connected_keys_.insert(key);
      auto& st = peer_status_[key];
      st.connected = true;
      st.connected_since_ms = wall_clock_ms();
      st.last_seen_ms = st.connected_since_ms;
    }
    log_info("connected to " + fingerprint(key) + (outbound ? " (outbound, " : " (inbound, ") +
             address + ")");
    replicator_->on_connected(id, local_clock(), now_ms());
    send_outgoing();
    write_status();
  });
}

void NodeCore::session_down(PeerId id, std::string reason) {
  asio::post(ioc_, [this, id, reason = std::move(reason)] {
    auto it = links_.find(id);
    if (it == links_.end()) return;
    PublicKey key = it->second.key;
    links_.erase(it);
    replicator_->on_disconnected(id);
    bool still = false;
    for (const auto& [other, l] : links_) still |= l.key == key;
    {
      std::lock_guard lock(membership_mutex_);
      if (!still) connected_keys_.erase(key);
      auto& st = peer_status_[key];
      st.connected = still;
      st.last_seen_ms = wall_clock_ms();
      if (!reason.empty()) {
        st.last_error = reason;
        st.last_error_ms = wall_clock_ms();
      }
    }
    log_info("disconnected from " + fingerprint(key) + ": " + reason);
    write_status();
  });
}

void NodeCore::dial_failed(const PublicKey& key, const std::string& url, const std::string& error) {
  std::lock_guard lock(membership_mutex_);
  auto& st = peer_status_[key];
  st.last_error = url + ": " + error;
  st.last_error_ms = wall_clock_ms();
}

void NodeCore::connection_problem(ConnectionProblem problem, const std::string& subject,
                                  const std::string& what) {
  counters_.connection_problems[static_cast<std::size_t>(problem)]++;
  auto held_back = problem_warnings_.allow(problem, subject, now_ms());
  if (!held_back) return;
  std::string line = what + " [" + std::string(problem_name(problem)) + "]";
  if (*held_back > 0)
    line += " (" + std::to_string(*held_back) + " more times since the last warning)";
  log_warn(line);
}

// Two links of one key at once. Both dialed by it: nothing but two nodes with one identity (a
// restored copy next to the original) or a stale old link does that. One each way is the
// ordinary race of two nodes dialing each other, unless it keeps happening.
void NodeCore::note_duplicate(const PublicKey& key, const Link& existing, bool outbound,
                              const std::string& address) {
  bool repeated = false;
  {
    std::lock_guard lock(membership_mutex_);
    auto& st = peer_status_[key];
    const std::uint64_t now = wall_clock_ms();
    repeated = st.last_duplicate_ms != 0 && now - st.last_duplicate_ms < 60'000;
    st.last_duplicate_ms = now;
  }
  if (existing.outbound != outbound && !repeated) return;
  connection_problem(ConnectionProblem::duplicate_identity, fingerprint(key),
                     "node " + fingerprint(key) + " is connected twice (" + existing.address +
                         " and " + address +
                         "): most likely two nodes run with its identity (a restored copy "
                         "running next to the original?) or its earlier connection is stale; "
                         "the newer connection is closed");
}

void NodeCore::protocol_violation(PeerId id, const std::string& what) {
  counters_.protocol_errors++;
  asio::post(ioc_, [this, id, what] {
    auto it = links_.find(id);
    if (it == links_.end()) return;
    log_warn("peer " + fingerprint(it->second.key) + " broke the protocol: " + what);
    it->second.link->close(CloseCause::protocol_error, what, "protocol_error");
  });
}

// ---- messages ----

void NodeCore::control_message(PeerId id, GossipMessage message) {
  asio::post(ioc_, [this, id, message = std::move(message)] {
    if (!links_.count(id)) return;
    // Peers skip the logs we do not accept, so a member that has not rostered a new member
    // would lack its alerts without a sign: their heads in a peer's clock are that sign.
    const std::vector<ClockEntry>* heads = nullptr;
    if (const auto* clock = std::get_if<ClockMsg>(&message)) heads = &clock->heads;
    if (const auto* have = std::get_if<HaveMsg>(&message)) heads = &have->heads;
    if (heads)
      for (const ClockEntry& h : *heads)
        if (h.seq > 0 && !accepts(h.author)) note_refused_author(h.author, h.seq, 0);
    if (auto st = replicator_->on_message(id, message, now_ms()); !st) {
      counters_.protocol_errors++;
      links_[id].link->close(CloseCause::protocol_error, st.error().message,
                             st.error().code);
      return;
    }
    send_outgoing();
    pump(id);
  });
}

void NodeCore::verified_entries(PeerId id, bool push, std::vector<SignedEntry> entries,
                                std::size_t rejected, std::string first_error,
                                std::size_t refused_future, std::shared_ptr<void> inflight) {
  asio::post(ioc_, [this, id, push, entries = std::move(entries), rejected,
                    first_error = std::move(first_error), refused_future,
                    inflight = std::move(inflight)]() mutable {
    // The connection may have dropped while these were being verified: valid entries are still
    // stored (a censor cutting connections every few kilobytes must not stop catch-up).
    auto it = links_.find(id);
    const std::string who =
        it == links_.end() ? "a peer gone since" : "peer " + fingerprint(it->second.key);
    if (rejected > 0) {
      // One invalid entry condemns the whole message: a hostile peer gets nothing stored.
      counters_.entries_rejected += rejected;
      counters_.protocol_errors++;
      log_warn(who + " sent an invalid entry: " + first_error);
      if (it != links_.end())
        it->second.link->close(CloseCause::protocol_error, "invalid entry: " + first_error,
                               "invalid_entry");
      return;
    }
    if (refused_future > 0) {
      // The forwarder may be honest and the author's clock wrong: refuse the entries, keep the
      // peer. They are asked for again later and fit once the clock has caught up.
      counters_.entries_rejected += refused_future;
      counters_.entries_refused_future += refused_future;
      log_warn("refused " + std::to_string(refused_future) + " entries from " + who + ": " +
               first_error);
    }
    std::vector<SignedEntry> wanted;
    for (auto& e : entries) {
      if (accepts(e.author())) {
        wanted.push_back(std::move(e));
      } else {
        counters_.entries_rejected++;
        note_refused_author(e.author(), e.seq(), 1);
      }
    }
    counters_.entries_received += wanted.size();
    if (wanted.empty()) return;
    if (writer_->queue(id, push, std::move(wanted), std::move(inflight)))
      asio::post(ioc_, [this] { flush_ingest(); });
  });
}

void NodeCore::fork_proof_received(PeerId id, Bytes proof) {
  asio::post(ioc_, [this, id, proof = std::move(proof)] {
    auto it = links_.find(id);
    if (it == links_.end()) return;
    auto decoded = decode_fork_proof(proof, store_.options().limits);
    if (!decoded) {
      counters_.protocol_errors++;
      it->second.link->close(CloseCause::protocol_error,
                             "invalid fork proof: " + decoded.error().message,
                             "invalid_fork_proof");
      return;
    }
    auto added = store_.add_fork_proof(*decoded);
    if (added && *added) {
      counters_.fork_proofs++;
      log_warn("fork proof received: " + fingerprint(decoded->author()) +
               " signed two entries with seq " + std::to_string(decoded->seq()) +
               "; its log is frozen");
      replicator_->on_fork_proof(proof, id);
      send_outgoing();
    }
  });
}

void NodeCore::link_drained(PeerId id) {
  asio::post(ioc_, [this, id] { pump(id); });
}

// ---- ingest: one transaction for everything queued since the last flush ----

void NodeCore::flush_ingest() {
  writer_->flush();
  send_outgoing();
  for (const auto& [id, l] : links_) pump(id);
}

// Entries other processes stored (a CLI publish, a bundle import) reach the replicator here.
void NodeCore::poll_store() {
  refresh_membership();
  writer_->catch_up_with_store();
  send_outgoing();
}

void NodeCore::send_outgoing() {
  for (auto& [peer, message] : replicator_->take_outgoing()) {
    auto it = links_.find(peer);
    if (it != links_.end())
      it->second.link->send(encode_gossip(message, it->second.link->gossip_version()));
  }
}

void NodeCore::pump(PeerId id) {
  auto it = links_.find(id);
  if (it == links_.end()) return;
  // Keep a few frames in flight: enough to fill the pipe, far below the drop threshold.
  const std::size_t high_water =
      std::min<std::size_t>(config_.network.max_pending_outbound_bytes / 4, 1 << 20);
  const std::size_t budget = config_.network.max_frame_bytes - 1024;
  while (it->second.link->queued_bytes() < high_water) {
    auto batch = replicator_->next_sync_batch(id, budget);
    if (!batch) break;
    it->second.link->send(encode_gossip(*batch, it->second.link->gossip_version()));
  }
}

// ---- timers and status ----

void NodeCore::schedule_tick() {
  tick_timer_.expires_after(std::chrono::milliseconds(50));
  tick_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    replicator_->on_tick(now_ms());
    send_outgoing();
    schedule_tick();
  });
}

void NodeCore::schedule_poll() {
  poll_timer_.expires_after(std::chrono::milliseconds(config_.network.poll_interval_ms));
  poll_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    poll_store();
    schedule_poll();
  });
}

void NodeCore::schedule_status() {
  status_timer_.expires_after(std::chrono::seconds(1));
  status_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    write_status();
    schedule_status();
  });
}

void NodeCore::local_entry_stored() {
  boost::asio::post(ioc_, [this] {
    if (!stopped_) poll_store();
  });
}

std::size_t NodeCore::connected_peers() const {
  std::lock_guard lock(membership_mutex_);
  return connected_keys_.size();
}

std::string NodeCore::status_snapshot() const {
  std::lock_guard lock(status_mutex_);
  return status_snapshot_;
}

void NodeCore::note_refused_author(const PublicKey& author, std::uint64_t offered,
                                   std::uint64_t refused) {
  std::lock_guard lock(membership_mutex_);
  auto it = refused_authors_.find(author);
  if (it == refused_authors_.end()) {
    if (refused_authors_.size() >= max_refused_authors) {
      refused_other_.offered = std::max(refused_other_.offered, offered);
      refused_other_.refused += refused;
      return;
    }
    it = refused_authors_.emplace(author, RefusedAuthor{}).first;
  }
  it->second.offered = std::max(it->second.offered, offered);
  it->second.refused += refused;
}

boost::json::object NodeCore::refused_authors_json() const {
  namespace json = boost::json;
  json::array authors;
  json::object other;
  {
    std::lock_guard lock(membership_mutex_);
    for (const auto& [key, r] : refused_authors_)
      authors.push_back(json::object{{"key", public_key_to_text(key)},
                                     {"fingerprint", fingerprint(key)},
                                     {"entries_offered", r.offered},
                                     {"entries_refused", r.refused}});
    other = json::object{{"entries_offered", refused_other_.offered},
                         {"entries_refused", refused_other_.refused}};
  }
  return json::object{{"authors", std::move(authors)}, {"other", std::move(other)}};
}

boost::json::object NodeCore::connection_problem_counts() const {
  boost::json::object out;
  for (std::size_t i = 0; i < connection_problem_count; ++i)
    out[problem_name(static_cast<ConnectionProblem>(i))] = counters_.connection_problems[i].load();
  return out;
}

// Configured peers, then nodes seen within recently_seen_ms that are not (inbound members, a
// peer since removed): a member whose node stops stays listed, "down", with when it was last
// seen, rather than vanishing from the hub's list.
boost::json::array NodeCore::peers_json() const {
  namespace json = boost::json;
  constexpr std::size_t max_unconfigured = 256;
  const std::uint64_t now = wall_clock_ms();
  json::array peers;
  std::set<PublicKey> listed;
  auto describe = [&](const PublicKey& key, const std::vector<std::string>* urls) {
    const std::string key_text = public_key_to_text(key);
    // `public_key` is what this list said before docs/http-api.md's `key` was followed.
    json::object p{{"key", key_text}, {"public_key", key_text}, {"fingerprint", fingerprint(key)}};
    PeerStatus st;
    {
      std::lock_guard lock(membership_mutex_);
      if (auto it = peer_status_.find(key); it != peer_status_.end()) st = it->second;
      if (auto it = roster_names_.find(key); it != roster_names_.end()) p["name"] = it->second;
    }
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
      p["down_since"] = iso8601_utc(st.last_seen_ms ? st.last_seen_ms : started_wall_ms_);
      if (st.last_seen_ms) p["last_seen"] = iso8601_utc(st.last_seen_ms);
    }
    for (const auto& [id, l] : links_) {
      if (l.key != key) continue;
      p["direction"] = l.outbound ? "outbound" : "inbound";
      p["address"] = l.address;
      if (auto rs = replicator_->peer_state(id)) {
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
  for (const auto& rec : dial_list()) {
    if (rec.key == own_key_ || !listed.insert(rec.key).second) continue;
    describe(rec.key, &rec.urls);
  }
  for (const auto& [id, l] : links_)
    if (listed.insert(l.key).second) describe(l.key, nullptr);
  std::vector<std::pair<std::uint64_t, PublicKey>> recent;
  {
    std::lock_guard lock(membership_mutex_);
    for (const auto& [key, st] : peer_status_)
      if (!listed.count(key) && st.last_seen_ms != 0 && now - st.last_seen_ms < recently_seen_ms)
        recent.emplace_back(st.last_seen_ms, key);
  }
  std::sort(recent.begin(), recent.end(), std::greater<>());
  if (recent.size() > max_unconfigured) recent.resize(max_unconfigured);
  for (const auto& [seen, key] : recent) describe(key, nullptr);
  return peers;
}

// Keeps peer_status_ to the configured peers and the nodes seen recently.
void NodeCore::forget_old_peers() {
  const std::uint64_t now = wall_clock_ms();
  std::lock_guard lock(membership_mutex_);
  std::set<PublicKey> configured;
  for (const auto& p : peers_) configured.insert(p.key);
  std::erase_if(peer_status_, [&](const auto& item) {
    const auto& [key, st] = item;
    return !st.connected && !configured.count(key) &&
           (st.last_seen_ms == 0 || now - st.last_seen_ms >= recently_seen_ms);
  });
}

void NodeCore::write_status() {
  namespace json = boost::json;
  forget_old_peers();
  json::array peers = peers_json();

  const ReplicatorStats& rs = replicator_->stats();
  json::object counters{
      {"entries_received", counters_.entries_received.load()},
      {"entries_stored", counters_.entries_stored.load()},
      {"duplicates", counters_.duplicates.load()},
      {"entries_rejected", counters_.entries_rejected.load()},
      {"entries_refused_future", counters_.entries_refused_future.load()},
      {"peers_throttled", counters_.peers_throttled.load()},
      {"peers_dropped_for_rate", counters_.peers_dropped_for_rate.load()},
      {"fork_proofs", counters_.fork_proofs.load()},
      {"handshakes_failed", counters_.handshakes_failed.load()},
      {"peers_refused", counters_.peers_refused.load()},
      {"protocol_errors", counters_.protocol_errors.load()},
      {"slow_peers_dropped", counters_.slow_peers_dropped.load()},
      {"connections_refused", counters_.connections_refused.load()},
      {"connections_evicted", counters_.connections_evicted.load()},
      {"bytes_in", counters_.bytes_in.load()},
      {"bytes_out", counters_.bytes_out.load()},
      {"connection_problems", connection_problem_counts()},
      {"entries_pushed", rs.entries_pushed},
      {"entries_synced", rs.entries_synced},
      {"have_notes_sent", rs.have_notes_sent},
      {"progress_notes_sent", rs.progress_notes_sent},
      {"prunes_sent", rs.prunes_sent},
      {"grafts_sent", rs.grafts_sent},
      {"pending_out_of_order", writer_->held_count()}};
  json::object status{{"pid", static_cast<std::int64_t>(::getpid())},
                      {"started_at", iso8601_utc(started_wall_ms_)},
                      {"updated_at", iso8601_utc(wall_clock_ms())},
                      {"listen", config_.network.listen},
                      {"public_key", public_key_to_text(own_key_)},
                      {"connections", links_.size()},
                      {"peers", std::move(peers)},
                      {"refused_authors", refused_authors_json()},
                      {"counters", std::move(counters)}};
  std::string text = json::serialize(status);
  {
    std::lock_guard lock(status_mutex_);
    status_snapshot_ = text;
  }
  std::filesystem::path tmp = status_file_;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text << "\n";
    if (!out) return;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, status_file_, ec);
}

}  // namespace ifex
