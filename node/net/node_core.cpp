#include "node/net/node_core.hpp"

#include <boost/asio/post.hpp>
#include <algorithm>
#include <cstring>

#include "keys/key_text.hpp"
#include "node/base/log.hpp"
#include "node/base/wall_clock.hpp"
#include "node/net/node_status.hpp"
#include "node/net/store_poller.hpp"
#include "node/net/store_writer.hpp"
#include "protocol/alert.hpp"

namespace ifex {

namespace asio = boost::asio;

NodeCore::NodeCore(asio::io_context& core_ioc, Store& store, const PublicKey& own_key,
                   const NodeConfig& config, std::filesystem::path status_file)
    : ioc_(core_ioc),
      store_(store),
      own_key_(own_key),
      config_(config),
      started_wall_ms_(wall_clock_ms()),
      membership_(own_key, config.network.accept_unknown_peers),
      publishing_(store, own_key, config.network.publish_hold_confirmations),
      reader_(std::make_unique<StoreLogReader>(
          store, [this](const PublicKey& k) { return membership_.carried_until(k); })),
      tick_timer_(core_ioc) {
  ReplicatorConfig rc;
  rc.max_message_bytes = config.network.max_frame_bytes - 1024;
  // Clock parts and have notes fit what peers at the default limit decode, and what we do.
  rc.max_control_message_bytes =
      std::min<std::size_t>(config.network.max_frame_bytes, rc.max_control_message_bytes);
  // Our key differs from every other node's: so does where we start serving a catch-up.
  std::memcpy(&rc.sync_start_seed, own_key.data(), sizeof rc.sync_start_seed);
  replicator_ = std::make_unique<Replicator>(
      rc, *reader_, [this](const PublicKey& a) { return wants_log(a); });
  writer_ = std::make_unique<StoreWriter>(
      store, *replicator_, counters_,
      [this](PeerId id) -> std::optional<PublicKey> {
        const Link* l = links_.find(id);
        if (!l) return std::nullopt;
        return l->key;
      },
      [this] { return now_ms(); });
  poller_ = std::make_unique<StorePoller>(
      core_ioc, std::chrono::milliseconds(config_.network.poll_interval_ms),
      [this] { poll_store(); });
  status_ = std::make_unique<NodeStatus>(
      core_ioc, std::move(status_file),
      StatusSources{config_, own_key_, started_wall_ms_, counters_, membership_, peer_status_,
                    refused_authors_, links_, *replicator_, *writer_, publishing_});
  // Logs frozen before a restart stay frozen: without this the replicator would keep awaiting
  // (and grafting for) entries of an equivocating author the store will never accept.
  if (auto proofs = store_.fork_proofs())
    for (const ForkProof& proof : *proofs)
      replicator_->on_fork_proof(encode_fork_proof(proof), std::nullopt);
  else
    log_event(LogLevel::error, LogArea::gossip, "fork_proofs_unreadable",
              "cannot read stored fork proofs: " + proofs.error().message,
              {{"error", proofs.error().message}});
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
    publishing_.refresh();
    schedule_tick();
    poller_->start();
    status_->start();
  });
}

void NodeCore::stop() {
  asio::post(ioc_, [this] {
    stopped_ = true;
    tick_timer_.cancel();
    poller_->stop();
    for (const auto& [id, l] : links_) l.link->close(CloseCause::shutdown, "node stopping", {});
    status_->stop();
  });
}

bool NodeCore::reads_our_logs(const PublicKey& key) const {
  return config_.network.serve_unknown_peers || membership_.is_known(key);
}

void NodeCore::refresh_membership() {
  // Peers decide what to send us from our clock: tell them what we accept now.
  if (membership_.refresh(store_)) {
    refused_authors_.forget(membership_.roster());
    replicator_->on_local_clock_changed(local_clock());
    send_outgoing();
    relink_changed_peers();
  }
}

// What a node may do is decided at connect: after a roster change, a removed or revoked member
// (a thief's node above all) must not stay connected and served, and a node admitted as unknown
// that became a member must be served. Dropping the link does both: the one redials and is
// refused, the other redials and reads.
void NodeCore::relink_changed_peers() {
  std::vector<PeerId> stale;
  for (const auto& [id, l] : links_)
    if (!membership_.is_welcome(l.key) || l.may_read != reads_our_logs(l.key)) stale.push_back(id);
  for (PeerId id : stale) {
    const Link* l = links_.find(id);
    log_event(LogLevel::info, LogArea::gossip, "link_dropped",
              "dropping the link to " + fingerprint(l->key) +
                  (membership_.is_welcome(l->key) ? ": it became a member, it reconnects to read"
                                                  : ": no longer a member"),
              {{"peer", fingerprint(l->key)}, {"cause", "roster_change"}});
    l->link->close(CloseCause::evicted, "roster change", {});
  }
}

// A member's log, or an ended key's while we lack some of what every node carries of it (up to
// its end plus the margin: peers of this version serve that and no further).
bool NodeCore::wants_log(const PublicKey& author) const {
  if (auto last_carried = membership_.carried_until(author))
    return reader_->head(author).seq < *last_carried;
  return membership_.accepts(author);
}

ClockMsg NodeCore::local_clock() const {
  ClockMsg clock;
  // Always false since relays store only their roster's authors (issue 19, F3); the field
  // stays on the wire for older nodes.
  clock.accepts_any_author = false;
  // With each head's id (gossip version 2), which the writer already knows: no store read.
  std::map<PublicKey, LogHead> heads;
  for (const auto& key : membership_.roster()) heads[key] = LogHead{};
  heads[own_key_] = LogHead{};
  for (const auto& [author, head] : writer_->known_heads()) heads[author] = head;
  // An ended key's log, as we serve it: up to its end plus the margin.
  for (const auto& [author, end] : membership_.ended_keys())
    if (auto it = heads.find(author); it != heads.end() && it->second.seq > last_carried_seq(end))
      it->second = reader_->head(author);
  for (const auto& [author, head] : heads)
    if (head.seq > 0)
      clock.heads.push_back({author, head.seq, head.id});
    else if (wants_log(author))
      clock.heads.push_back({author, 0});
  return clock;
}

// ---- connections ----

void NodeCore::session_up(PeerId id, const PublicKey& key, bool outbound, std::string address,
                          std::shared_ptr<PeerLink> link) {
  asio::post(ioc_, [this, id, key, outbound, address = std::move(address),
                    link = std::move(link)]() mutable {
    if (stopped_) return link->close(CloseCause::shutdown, "node stopping", {});
    if (auto existing_id = links_.find_key(key)) {
      Link& existing = *links_.find(*existing_id);
      note_duplicate(key, existing, outbound, address);
      if (!new_link_wins(own_key_, key, existing.outbound, outbound)) {
        link->close(CloseCause::duplicate_link, "duplicate connection", {});
        return;
      }
      existing.link->close(CloseCause::duplicate_link, "duplicate connection", {});
      replicator_->on_disconnected(*existing_id);
      links_.erase(*existing_id);
    }
    // Only nodes the operator named read our logs, unless serve_unknown_peers says otherwise:
    // the network key alone (any seized member device holds it) must not open the archive.
    const bool may_read = reads_our_logs(key);
    links_.add(id, Link{key, outbound, address, link, wall_clock_ms(), may_read});
    peer_status_.connected(key, wall_clock_ms());
    log_event(LogLevel::info, LogArea::gossip, "peer_connected",
              "connected to " + fingerprint(key) + (outbound ? " (outbound, " : " (inbound, ") +
                  address + ")",
              {{"peer", fingerprint(key)},
               {"direction", outbound ? "outbound" : "inbound"},
               {"address", address}});
    replicator_->on_connected(id, local_clock(), now_ms(), may_read, link->gossip_version());
    send_outgoing();
    status_->write();
  });
}

void NodeCore::session_down(PeerId id, std::string reason) {
  asio::post(ioc_, [this, id, reason = std::move(reason)] {
    auto gone = links_.erase(id);
    if (!gone) return;
    replicator_->on_disconnected(id);
    peer_status_.disconnected(gone->key, links_.has_key(gone->key), reason, wall_clock_ms());
    log_event(LogLevel::info, LogArea::gossip, "peer_disconnected",
              "disconnected from " + fingerprint(gone->key) + ": " + reason,
              {{"peer", fingerprint(gone->key)}, {"reason", reason}});
    status_->write();
  });
}

void NodeCore::dial_failed(const PublicKey& key, const std::string& url, const std::string& error) {
  peer_status_.dial_failed(key, url + ": " + error, wall_clock_ms());
}

void NodeCore::connection_problem(ConnectionProblem problem, const std::string& subject,
                                  const std::string& what) {
  counters_.connection_problems[static_cast<std::size_t>(problem)]++;
  auto held_back = problem_warnings_.allow(problem, subject, now_ms());
  if (!held_back) return;
  std::string line = what + " [" + std::string(problem_name(problem)) + "]";
  if (*held_back > 0)
    line += " (" + std::to_string(*held_back) + " more times since the last warning)";
  log_event(LogLevel::warn, LogArea::net, "connection_problem", line,
            {{"problem", std::string(problem_name(problem))}, {"subject", subject}});
}

// Two links of one key at once. Both dialed by it: nothing but two nodes with one identity (a
// restored copy next to the original) or a stale old link does that. One each way is the
// ordinary race of two nodes dialing each other, unless it keeps happening.
void NodeCore::note_duplicate(const PublicKey& key, const Link& existing, bool outbound,
                              const std::string& address) {
  const bool repeated = peer_status_.duplicate_seen(key, wall_clock_ms());
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
    const Link* l = links_.find(id);
    if (!l) return;
    log_event(LogLevel::warn, LogArea::gossip, "protocol_broken",
              "peer " + fingerprint(l->key) + " broke the protocol: " + what,
              {{"peer", fingerprint(l->key)}, {"error", what}});
    l->link->close(CloseCause::protocol_error, what, "protocol_error");
  });
}

// ---- messages ----

void NodeCore::control_message(PeerId id, GossipMessage message) {
  asio::post(ioc_, [this, id, message = std::move(message)] {
    if (!links_.find(id)) return;
    // Peers skip the logs we do not accept, so a member that has not rostered a new member
    // would lack its alerts without a sign: their heads in a peer's clock are that sign.
    const std::vector<ClockEntry>* heads = nullptr;
    if (const auto* clock = std::get_if<ClockMsg>(&message)) heads = &clock->heads;
    if (const auto* have = std::get_if<HaveMsg>(&message)) heads = &have->heads;
    if (const auto* part = std::get_if<ClockPartMsg>(&message)) heads = &part->heads;
    if (heads)
      for (const ClockEntry& h : *heads)
        if (h.seq > 0 && !membership_.accepts(h.author) && !membership_.ended_after(h.author))
          refused_authors_.note(h.author, h.seq, 0);
    // What nodes we know say of our own log decides whether we may sign on our head.
    if (heads && membership_.is_known(links_.find(id)->key))
      for (const ClockEntry& h : *heads)
        if (h.author == own_key_) publishing_.peer_named_own_log(links_.find(id)->key, h.seq);
    if (auto st = replicator_->on_message(id, message, now_ms()); !st) {
      counters_.protocol_errors++;
      links_.find(id)->link->close(CloseCause::protocol_error, st.error().message,
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
    const Link* l = links_.find(id);
    const std::string who = l ? "peer " + fingerprint(l->key) : "a peer gone since";
    if (rejected > 0) {
      // One invalid entry condemns the whole message: a hostile peer gets nothing stored.
      counters_.entries_rejected += rejected;
      counters_.protocol_errors++;
      log_event(LogLevel::warn, LogArea::gossip, "invalid_entry",
                who + " sent an invalid entry: " + first_error,
                {{"peer", l ? fingerprint(l->key) : ""}, {"error", first_error}});
      if (l)
        l->link->close(CloseCause::protocol_error, "invalid entry: " + first_error,
                       "invalid_entry");
      return;
    }
    if (refused_future > 0) {
      // The forwarder may be honest and the author's clock wrong: refuse the entries, keep the
      // peer. They are asked for again later and fit once the clock has caught up.
      counters_.entries_rejected += refused_future;
      counters_.entries_refused_future += refused_future;
      log_event(LogLevel::warn, LogArea::gossip, "entries_refused",
                "refused " + std::to_string(refused_future) + " entries from " + who + ": " +
                    first_error,
                {{"peer", l ? fingerprint(l->key) : ""},
                 {"count", std::to_string(refused_future)},
                 {"error", first_error}});
    }
    std::vector<SignedEntry> wanted;
    for (auto& e : entries) {
      if (membership_.accepts_entry(e.author(), e.seq())) {
        wanted.push_back(std::move(e));
      } else if (membership_.ended_after(e.author())) {
        counters_.entries_rejected++;
        counters_.entries_revoked++;
      } else {
        counters_.entries_rejected++;
        refused_authors_.note(e.author(), e.seq(), 1);
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
    const Link* l = links_.find(id);
    if (!l) return;
    auto decoded = decode_fork_proof(proof, store_.options().limits);
    if (!decoded) {
      counters_.protocol_errors++;
      l->link->close(CloseCause::protocol_error, "invalid fork proof: " + decoded.error().message,
                     "invalid_fork_proof");
      return;
    }
    auto added = store_.add_fork_proof(*decoded);
    if (added && *added) {
      counters_.fork_proofs++;
      log_event(LogLevel::warn, LogArea::gossip, "fork_proof_received",
                "fork proof received: " + fingerprint(decoded->author()) +
                    " signed two entries with seq " + std::to_string(decoded->seq()) +
                    "; its log is frozen",
                {{"author", fingerprint(decoded->author())},
                 {"seq", std::to_string(decoded->seq())}});
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
  if (publishing_.held()) publishing_.own_log_grew();
  send_outgoing();
  for (const auto& [id, l] : links_) pump(id);
}

// Entries other processes stored (a CLI publish, a bundle import) reach the replicator here.
void NodeCore::poll_store() {
  refresh_membership();
  publishing_.refresh();
  writer_->catch_up_with_store();
  send_outgoing();
}

void NodeCore::send_outgoing() {
  for (auto& [peer, message] : replicator_->take_outgoing())
    if (const Link* l = links_.find(peer))
      l->link->send(encode_gossip(message, l->link->gossip_version()));
}

void NodeCore::pump(PeerId id) {
  const Link* l = links_.find(id);
  if (!l) return;
  // Keep a few frames in flight: enough to fill the pipe, far below the drop threshold.
  const std::size_t high_water =
      std::min<std::size_t>(config_.network.max_pending_outbound_bytes / 4, 1 << 20);
  const std::size_t budget = config_.network.max_frame_bytes - 1024;
  while (l->link->queued_bytes() < high_water) {
    auto batch = replicator_->next_sync_batch(id, budget);
    if (!batch) break;
    l->link->send(encode_gossip(*batch, l->link->gossip_version()));
  }
}

// ---- the replicator's clock ----

void NodeCore::schedule_tick() {
  tick_timer_.expires_after(std::chrono::milliseconds(50));
  tick_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    replicator_->on_tick(now_ms());
    send_outgoing();
    if (++ticks_ % 20 == 0) refresh_peer_lag();
    schedule_tick();
  });
}

// Once a second, for /metrics (which runs elsewhere and may not touch the Replicator): one step
// per connection and log this node carries, from heads the core holds in memory.
void NodeCore::refresh_peer_lag() {
  const ClockMsg ours = local_clock();
  for (const auto& [id, l] : links_) peer_status_.set_lag(l.key, replicator_->peer_lag(id, ours));
}

void NodeCore::local_entry_stored() { poller_->poll_now(); }

std::string NodeCore::status_snapshot() const { return status_->snapshot(); }

}  // namespace ifex
