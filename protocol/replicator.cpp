#include "protocol/replicator.hpp"

#include <algorithm>

namespace ifex {

namespace {

// Encoded sizes (docs/protocol.md, "Gossip messages"): flag, type, push flag and u64 count before
// the entries of an EntriesMsg, a u64 length before each entry; flag, type and u64 count before
// the (author, seq) pairs of a HaveMsg.
constexpr std::size_t entries_header_bytes = 1 + 1 + 1 + 8;
constexpr std::size_t entry_framing_bytes = 8;

void raise_known(std::map<PublicKey, std::uint64_t>& known, const PublicKey& author,
                 std::uint64_t seq) {
  auto& k = known[author];
  k = std::max(k, seq);
}

// The author of a fork proof the caller has verified, decoded as a ForkProof rather than read at
// a byte offset, so the layout lives in one place. The caller already applied its size limit;
// no entry of a proof can be longer than the proof itself.
std::optional<PublicKey> fork_proof_author(const Bytes& proof) {
  auto decoded = decode_fork_proof(proof, EntryLimits{proof.size()});
  if (!decoded) return std::nullopt;
  return decoded->author();
}

}  // namespace

Replicator::Replicator(ReplicatorConfig config, const LogReader& logs,
                       std::function<bool(const PublicKey&)> accepts)
    : config_(config), logs_(logs), accepts_(std::move(accepts)) {}

void Replicator::on_connected(PeerId peer, ClockMsg our_clock, std::uint64_t now_ms,
                              bool may_read, GossipVersion version) {
  now_ms_ = std::max(now_ms_, now_ms);
  Peer& p = peers_.insert_or_assign(peer, Peer{config_.max_clock_authors}).first->second;
  p.may_read = may_read;
  p.version = version;
  p.our_clock = with_head_ids(std::move(our_clock));
  send_clock(peer, p);
}

void Replicator::on_local_clock_changed(const ClockMsg& our_clock) {
  const ClockMsg clock = with_head_ids(our_clock);
  for (auto& [peer, p] : peers_) {
    p.our_clock = clock;
    send_clock(peer, p);
  }
}

// Our clock as the peer's version carries it (docs/protocol.md, "Versions"): in parts from
// version 3 on, all of them queued at once so that nothing comes between them; in one message
// to an older peer, which can take no more.
void Replicator::send_clock(PeerId peer, Peer& p) {
  if (p.version >= GossipVersion::v3) {
    for (ClockPartMsg& part : split_clock(p.our_clock, config_.max_control_message_bytes)) {
      send(peer, std::move(part));
      ++stats_.clock_parts_sent;
    }
    return;
  }
  const std::size_t fits =
      clock_entries_fitting(config_.max_control_message_bytes, clock_header_bytes, p.version);
  if (p.our_clock.heads.size() <= fits) {
    p.clock_narrowed = false;
    send(peer, p.our_clock);
    return;
  }
  // Too large for one message. An old peer holds and sends only the authors its own clock
  // lists, and it sends that clock first whatever we do: ours waits for it and then lists only
  // those authors, which is all this connection can bring us.
  if (!p.clock_received) {
    p.clock_waits = true;
    return;
  }
  ClockMsg narrowed{p.our_clock.accepts_any_author, {}};
  for (const ClockEntry& h : p.our_clock.heads)
    if (p.accepted.contains(h.author)) narrowed.heads.push_back(h);
  // Only when it named more authors since its clock (have notes) than one message holds.
  if (narrowed.heads.size() > fits) {
    stats_.clock_authors_left_out += narrowed.heads.size() - fits;
    narrowed.heads.resize(fits);
  }
  p.clock_waits = false;
  p.clock_narrowed = true;
  ++stats_.clocks_narrowed;
  send(peer, std::move(narrowed));
}

ClockEntry Replicator::head_note(const PublicKey& author, std::uint64_t seq) const {
  ClockEntry note{author, seq, std::nullopt};
  if (seq == 0) return note;
  // Our head moves only forward; a note for an older seq goes without its id (the receiver
  // then compares nothing) rather than cost a read.
  if (const LogHead head = logs_.head(author); head.seq == seq) note.head_id = head.id;
  return note;
}

ClockMsg Replicator::with_head_ids(ClockMsg clock) const {
  for (ClockEntry& h : clock.heads)
    if (!h.head_id) h = head_note(h.author, h.seq);
  return clock;
}

void Replicator::send_fork_proofs(PeerId peer, Peer& p) {
  for (const auto& [author, proof] : frozen_)
    if (peer_accepts(p, author) && p.proofs_sent.insert(author).second)
      send(peer, ForkProofMsg{proof});
}

void Replicator::compare_head(PeerId peer, Peer& p, const ClockEntry& theirs) {
  if (!p.may_read || !theirs.head_id || theirs.seq == 0 || frozen_.contains(theirs.author))
    return;
  if (!accepts_(theirs.author)) return;
  const LogHead ours = logs_.head(theirs.author);
  // Only equal seqs are compared here: where one side is ahead, catch-up sends the next entry,
  // whose prev then disagrees at the other end (on_prev_mismatch).
  if (ours.seq != theirs.seq || ours.id == *theirs.head_id) return;
  if (!p.conflicts_answered.emplace(theirs.author, theirs.seq).second) return;
  ++stats_.head_conflicts;
  auto mine = logs_.read(theirs.author, theirs.seq, 1, config_.max_message_bytes);
  if (mine.empty()) return;
  // Our entry at that seq: its store then holds two and makes the proof, and sends it to us.
  send(peer, EntriesMsg{false, {std::move(mine.front())}});
  ++stats_.entries_synced;
}

void Replicator::on_disconnected(PeerId peer) {
  peers_.erase(peer);
  for (auto it = missing_.begin(); it != missing_.end();) {
    Missing& m = it->second;
    std::erase(m.announcers, peer);
    std::erase(m.asked, peer);
    it = m.announcers.empty() && m.asked.empty() ? missing_.erase(it) : std::next(it);
  }
  // Messages still queued for it have nowhere to go; erasing them moves the open pushes.
  std::erase_if(outgoing_, [&](const auto& m) { return m.first == peer; });
  open_push_.clear();
}

Status Replicator::on_message(PeerId peer, const GossipMessage& message, std::uint64_t now_ms) {
  auto found = peers_.find(peer);
  if (found == peers_.end())
    return make_error("unknown_peer", "a message from a peer that is not connected");
  Peer& p = found->second;
  now_ms_ = std::max(now_ms_, now_ms);
  // Entries and proofs count when the caller reports them (the node's core passes only control
  // messages here).
  if (!std::holds_alternative<EntriesMsg>(message) &&
      !std::holds_alternative<ForkProofMsg>(message))
    heard_from(p);

  if (const auto* part = std::get_if<ClockPartMsg>(&message)) {
    if (p.version < GossipVersion::v3)
      return make_error("unexpected_clock_part", "a clock part on a connection of version " +
                                                     std::to_string(static_cast<int>(p.version)));
    auto whole = p.clock_parts.add(*part);
    if (!whole) return whole.error();
    return *whole ? on_clock(peer, p, **whole) : Status::success();
  }
  // The parts of one clock come one after the other.
  if (p.clock_parts.in_progress())
    return make_error("clock_part_expected",
                      std::string("a ") + std::string(gossip_type_name(message)) +
                          " message between the parts of the peer's clock");
  if (const auto* clock = std::get_if<ClockMsg>(&message)) return on_clock(peer, p, *clock);
  if (!p.clock_received)
    return make_error("clock_expected", std::string("a ") + std::string(gossip_type_name(message)) +
                                            " message before the peer's clock");

  if (const auto* have = std::get_if<HaveMsg>(&message)) {
    on_have(peer, p, *have, now_ms);
  } else if (std::holds_alternative<PruneMsg>(message)) {
    p.eager = false;
  } else if (const auto* g = std::get_if<GraftMsg>(&message)) {
    on_graft(p, *g);
  }
  return Status::success();
}

Status Replicator::on_clock(PeerId peer, Peer& p, const ClockMsg& clock) {
  std::set<PublicKey> authors;
  for (const auto& h : clock.heads)
    if (!authors.insert(h.author).second)
      return make_error("bad_clock", "the peer's clock lists an author twice");
  // A later clock is an update (the peer's roster changed): it replaces what the peer
  // accepts, and catch-up starts for the authors it newly accepts.
  const bool update = p.clock_received;
  const bool accepted_any_before = p.accepts_any;
  std::set<PublicKey> before = std::move(p.accepted);
  p.clock_received = true;
  p.accepts_any = clock.accepts_any_author;
  p.accepted = std::move(authors);
  // Ours comes first: an old peer's clock was what ours waited for, or what ours must follow.
  if (p.clock_waits || p.clock_narrowed) send_clock(peer, p);
  for (const auto& h : clock.heads)
    if (h.seq > 0) p.known[h.author] = std::max(p.known[h.author], h.seq);
  for (const auto& h : clock.heads) compare_head(peer, p, h);
  send_fork_proofs(peer, p);
  if (!update) {
    start_catch_up(p);
  } else if (!accepted_any_before) {
    for (const auto& h : p.our_clock.heads) {
      if (before.count(h.author) || !peer_accepts(p, h.author) || p.cursors.count(h.author))
        continue;
      std::uint64_t theirs = known_seq(p, h.author);
      if (theirs < logs_.head(h.author).seq) p.cursors[h.author] = Cursor{theirs + 1};
    }
  }
  return Status::success();
}

void Replicator::start_catch_up(Peer& p) {
  // Authors stored after our clock went out are not in it, but the peer lacks them too.
  std::set<PublicKey> authors = std::move(p.stored_before_clock);
  p.stored_before_clock.clear();
  for (const auto& h : p.our_clock.heads) authors.insert(h.author);
  for (const auto& author : authors) {
    if (!peer_accepts(p, author)) continue;
    std::uint64_t theirs = known_seq(p, author);
    // The live head, not the clock's: the cursor reads to it anyway.
    if (theirs < logs_.head(author).seq) p.cursors[author] = Cursor{theirs + 1};
  }
  // Serve the authors round robin from a point that differs between nodes (see
  // ReplicatorConfig::sync_start_seed): the first batch goes to the author after last_served.
  if (!p.cursors.empty() && !p.last_served) {
    const std::size_t skip = config_.sync_start_seed % p.cursors.size();
    if (skip > 0) {
      p.last_served = std::next(p.cursors.begin(), static_cast<long>(skip) - 1)->first;
      p.served_in_turn = config_.sync_turn_bytes;  // its turn is over: start at the next one
    }
  }
}

void Replicator::on_have(PeerId peer, Peer& p, const HaveMsg& have, std::uint64_t now_ms) {
  for (const auto& h : have.heads) {
    // Only authors this node carries: a peer cannot grow our maps with arbitrary keys.
    if (!accepts_(h.author)) continue;
    p.accepted.insert(h.author);
    raise_known(p.known, h.author, h.seq);
    compare_head(peer, p, h);
    if (auto c = p.cursors.find(h.author); c != p.cursors.end() && h.seq >= c->second.next_seq)
      c->second.served_elsewhere = true;
    // A frozen log never moves again: waiting for it would graft forever.
    if (frozen_.contains(h.author)) continue;
    if (logs_.head(h.author).seq < h.seq)
      expect_from(peer, h.author, h.seq, now_ms + config_.graft_timeout_ms);
  }
}

void Replicator::on_graft(Peer& p, const GraftMsg& g) {
  if (!p.may_read) return;
  p.eager = true;
  p.duplicate_streak = 0;
  if (!accepts_(g.author) && logs_.head(g.author).seq == 0) return;
  std::uint64_t from = std::max<std::uint64_t>(g.from_seq, 1);
  p.accepted.insert(g.author);
  // Its word on what it holds beats ours: a push we counted may have been held back as a gap.
  if (auto k = p.known.find(g.author); k != p.known.end()) k->second = std::min(k->second, from - 1);
  auto [it, fresh] = p.cursors.try_emplace(g.author, Cursor{from});
  if (!fresh) it->second.next_seq = std::min(it->second.next_seq, from);
}

Replicator::Missing& Replicator::expect_from(PeerId peer, const PublicKey& author,
                                             std::uint64_t seq, std::uint64_t deadline_ms) {
  Missing& m =
      missing_.try_emplace(author, Missing{seq, deadline_ms, {}, {}, {}, logs_.head(author).seq})
          .first->second;
  m.seq = std::max(m.seq, seq);
  if (std::find(m.announcers.begin(), m.announcers.end(), peer) == m.announcers.end() &&
      std::find(m.asked.begin(), m.asked.end(), peer) == m.asked.end())
    m.announcers.push_back(peer);
  return m;
}

void Replicator::on_entry_stored(const SignedEntry& entry, std::optional<PeerId> from,
                                 std::uint64_t now_ms) {
  now_ms_ = std::max(now_ms_, now_ms);
  const PublicKey& author = entry.author();
  const std::uint64_t seq = entry.seq();
  if (from) {
    if (auto it = peers_.find(*from); it != peers_.end()) {
      Peer& p = it->second;
      p.accepted.insert(author);
      raise_known(p.known, author, seq);
      p.duplicate_streak = 0;
      received_from(*from, p, author, seq);
    }
  }
  if (auto m = missing_.find(author);
      m != missing_.end() && m->second.seq <= std::max(seq, logs_.head(author).seq)) {
    // Another peer delivered first: the tree was late, not broken. The links the timer's
    // grafts turned eager go back to lazy rather than stay as extra eager paths.
    if (config_.revert_needless_grafts && from &&
        std::find(m->second.asked.begin(), m->second.asked.end(), *from) == m->second.asked.end())
      for (PeerId g : m->second.made_eager)
        if (auto q = peers_.find(g);
            q != peers_.end() && q->second.eager && eager_peers() > config_.min_eager_peers) {
          q->second.eager = false;
          send(g, PruneMsg{});
          ++stats_.prunes_sent;
        }
    missing_.erase(m);
  }

  for (auto& [id, q] : peers_) {
    if (from && id == *from) continue;
    if (!q.clock_received) {
      q.stored_before_clock.insert(author);
      continue;
    }
    if (!peer_accepts(q, author)) continue;
    if (known_seq(q, author) > seq) {
      // It holds more of this log than we do, so it is probably catching us up: tell it how
      // far we got from others, or it sends us all of that again.
      std::uint64_t& noted = q.progress[author];
      noted = std::max(noted, seq);
      continue;
    }
    if (known_seq(q, author) >= seq) continue;
    if (q.cursors.contains(author)) continue;  // the cursor reads to the live head
    if (q.eager) {
      push(id, entry.bytes());
      q.known[author] = seq;
      ++stats_.entries_pushed;
      if (config_.silent_peer_entries > 0 && ++q.pushed_unheard == keepalive_entries())
        q.answer_due_ms = now_ms_ + config_.silent_peer_ms;
      if (config_.silent_peer_entries > 0 && q.pushed_unheard >= config_.silent_peer_entries &&
          now_ms_ >= q.answer_due_ms) {
        // It takes everything and says nothing: have it ask (graft) for what it wants.
        q.eager = false;
        q.pushed_unheard = 0;
        send(id, PruneMsg{});
        ++stats_.prunes_sent;
      }
    } else {
      auto& h = q.have_queue[author];
      h = std::max(h, seq);
    }
  }
}

void Replicator::on_duplicate(PeerId from, const SignedEntry& entry, bool pushed) {
  ++stats_.duplicates;
  auto it = peers_.find(from);
  if (it == peers_.end()) return;
  Peer& p = it->second;
  if (accepts_(entry.author())) {
    p.accepted.insert(entry.author());
    raise_known(p.known, entry.author(), entry.seq());
    received_from(from, p, entry.author(), entry.seq());
  } else {
    heard_from(p);
  }
  // Only a pushed duplicate means two eager paths lead here; catch-up and graft replies can
  // overlap the tree without any link being redundant. A node down to its minimum of eager
  // links keeps this one as a second parent.
  if (!pushed) return;
  if (!p.eager) {
    // It still pushes though we hold the link lazy: our graft and its prune crossed (or our
    // prune is on its way). Prune again, or it pushes on a link neither end ever prunes.
    send(from, PruneMsg{});
    ++stats_.prunes_sent;
  } else if (++p.duplicate_streak >= config_.prune_after_duplicates &&
             eager_peers() > config_.min_eager_peers) {
    p.duplicate_streak = 0;
    p.eager = false;
    send(from, PruneMsg{});
    ++stats_.prunes_sent;
  }
}

void Replicator::on_gap(PeerId from, const PublicKey& author, std::uint64_t have_seq,
                        std::uint64_t now_ms) {
  auto it = peers_.find(from);
  now_ms_ = std::max(now_ms_, now_ms);
  if (it == peers_.end() || frozen_.contains(author)) return;
  Peer& p = it->second;
  heard_from(p);
  // The graft is the repair; the timer is the fallback should its reply not close the gap,
  // and then asks the other announcers first.
  Missing& m = expect_from(from, author, have_seq + 1, now_ms + config_.graft_retry_ms);
  if (auto a = std::find(m.announcers.begin(), m.announcers.end(), from); a != m.announcers.end()) {
    m.announcers.erase(a);
    m.asked.push_back(from);
  }
  if (auto g = p.last_graft_ms.find(author);
      g != p.last_graft_ms.end() && now_ms < g->second + config_.graft_retry_ms)
    return;
  graft(from, p, author, have_seq + 1, now_ms);
}

void Replicator::on_prev_mismatch(PeerId from, const PublicKey& author, const LogHead& head,
                                  std::uint64_t now_ms) {
  now_ms_ = std::max(now_ms_, now_ms);
  auto it = peers_.find(from);
  if (it == peers_.end() || frozen_.contains(author) || head.seq == 0) return;
  Peer& p = it->second;
  heard_from(p);
  auto [asked, fresh] = p.mismatch_asked.try_emplace(author, head.seq);
  if (!fresh && asked->second == head.seq) return;
  asked->second = head.seq;
  ++stats_.mismatch_grafts;
  graft(from, p, author, head.seq, now_ms);
}

void Replicator::graft(PeerId peer, Peer& p, const PublicKey& author, std::uint64_t from_seq,
                       std::uint64_t now_ms) {
  send(peer, GraftMsg{author, from_seq});
  p.eager = true;
  p.duplicate_streak = 0;
  p.last_graft_ms[author] = now_ms;
  ++stats_.grafts_sent;
}

void Replicator::on_fork_proof(const Bytes& proof, std::optional<PeerId> from) {
  if (auto author = fork_proof_author(proof)) {
    frozen_.try_emplace(*author, proof);
    missing_.erase(*author);
    for (auto& [id, p] : peers_) {
      // The sender holds it; the others get it now or, before their clock, after it.
      if (from && id == *from) p.proofs_sent.insert(*author);
      if (!p.may_read || !p.clock_received || !p.proofs_sent.insert(*author).second) continue;
      send(id, ForkProofMsg{proof});
    }
  }
}

void Replicator::on_tick(std::uint64_t now_ms) {
  now_ms_ = std::max(now_ms_, now_ms);
  for (auto it = missing_.begin(); it != missing_.end();) {
    Missing& m = it->second;
    const std::uint64_t head = logs_.head(it->first).seq;
    const auto gone = [&](PeerId a) { return !peers_.contains(a); };
    std::erase_if(m.announcers, gone);
    std::erase_if(m.asked, gone);
    if (head >= m.seq || (m.announcers.empty() && m.asked.empty())) {
      it = missing_.erase(it);
      continue;
    }
    if (now_ms < m.deadline_ms) {
      ++it;
      continue;
    }
    if (head > m.head_seen) {
      // The log is moving (a catch-up stream, a slow tree): give it another period rather
      // than start a second stream of the same entries.
      m.head_seen = head;
      m.deadline_ms = now_ms + config_.graft_timeout_ms;
    } else {
      // Announcers not asked yet first (in case those asked cannot deliver), then those asked
      // longest ago.
      std::vector<PeerId> order = m.announcers;
      order.insert(order.end(), m.asked.begin(), m.asked.end());
      order.resize(std::min(order.size(), std::max<std::size_t>(config_.graft_fanout, 1)));
      for (PeerId target : order) {
        if (!peers_.at(target).eager) m.made_eager.push_back(target);
        graft(target, peers_.at(target), it->first, head + 1, now_ms);
        std::erase(m.announcers, target);
        std::erase(m.asked, target);
        m.asked.push_back(target);
      }
      m.deadline_ms = now_ms + config_.graft_retry_ms;
    }
    ++it;
  }
  flush_have_notes();
}

void Replicator::flush_have_notes() {
  for (auto& [id, p] : peers_) {
    std::vector<ClockEntry> notes;
    for (const auto& [author, seq] : p.have_queue) {
      // It may have told us meanwhile (its own note, a push, a duplicate), or grafted the log.
      if (known_seq(p, author) >= seq || p.cursors.contains(author)) continue;
      notes.push_back(head_note(author, seq));
    }
    p.have_queue.clear();
    stats_.have_notes_sent += notes.size();
    send_have_notes(id, std::move(notes));
  }
}

// Have notes add up, so a batch larger than one message simply goes as several.
void Replicator::send_have_notes(PeerId peer, std::vector<ClockEntry> notes) {
  if (auto it = peers_.find(peer); it != peers_.end())
    for (const ClockEntry& note : notes) raise_known(it->second.announced, note.author, note.seq);
  const std::size_t per_message = std::max<std::size_t>(
      clock_entries_fitting(std::min(config_.max_message_bytes, config_.max_control_message_bytes),
                            have_header_bytes, newest_gossip_version),
      1);
  for (std::size_t next = 0; next < notes.size(); next += per_message) {
    const std::size_t end = std::min(notes.size(), next + per_message);
    send(peer, HaveMsg{{std::make_move_iterator(notes.begin() + static_cast<std::ptrdiff_t>(next)),
                        std::make_move_iterator(notes.begin() + static_cast<std::ptrdiff_t>(end))}});
  }
}

std::optional<EntriesMsg> Replicator::next_sync_batch(PeerId peer, std::size_t budget_bytes) {
  auto found = peers_.find(peer);
  if (found == peers_.end() || found->second.cursors.empty()) return std::nullopt;
  Peer& p = found->second;

  // Round robin: start after the author served last, so one long log cannot starve the others.
  std::vector<PublicKey> order;
  // The author served last goes on while its turn lasts.
  auto start = p.cursors.begin();
  if (p.last_served)
    start = p.served_in_turn < config_.sync_turn_bytes ? p.cursors.lower_bound(*p.last_served)
                                                       : p.cursors.upper_bound(*p.last_served);
  for (auto it = start; it != p.cursors.end(); ++it) order.push_back(it->first);
  for (auto it = p.cursors.begin(); it != start; ++it) order.push_back(it->first);
  // Logs another peer is serving it wait until it lacks nothing else from us.
  std::stable_partition(order.begin(), order.end(),
                        [&](const PublicKey& a) { return !p.cursors.at(a).served_elsewhere; });

  EntriesMsg out;
  std::size_t entry_bytes = 0;
  std::size_t message_bytes = entries_header_bytes;
  bool full = false;
  for (const auto& author : order) {
    if (full || out.entries.size() >= config_.max_entries_per_message) break;
    if (!out.entries.empty() && (entry_bytes >= budget_bytes ||
                                 message_bytes + entry_framing_bytes >= config_.max_message_bytes))
      break;
    Cursor& c = p.cursors.at(author);
    const std::uint64_t head = logs_.head(author).seq;
    // Skip what it got meanwhile from others.
    std::uint64_t next = std::max(c.next_seq, known_seq(p, author) + 1);
    if (next > head) {
      p.cursors.erase(author);
      continue;
    }
    const std::size_t byte_room =
        std::min(out.entries.empty() ? budget_bytes : budget_bytes - entry_bytes,
                 config_.max_message_bytes - message_bytes);
    auto batch = logs_.read(author, next, config_.max_entries_per_message - out.entries.size(),
                            byte_room);
    const std::size_t bytes_before = entry_bytes;
    for (auto& bytes : batch) {
      const bool fits = entry_bytes + bytes.size() <= budget_bytes &&
                        message_bytes + entry_framing_bytes + bytes.size() <=
                            config_.max_message_bytes &&
                        out.entries.size() < config_.max_entries_per_message;
      if (!fits && !out.entries.empty()) {
        full = true;
        break;
      }
      entry_bytes += bytes.size();
      message_bytes += entry_framing_bytes + bytes.size();
      out.entries.push_back(std::move(bytes));
      ++next;
    }
    // A log that got nothing in (the message was full) has not had its turn yet.
    if (const std::size_t served = entry_bytes - bytes_before; served == 0) {
    } else if (p.last_served == author) {
      p.served_in_turn += served;
    } else {
      p.last_served = author;
      p.served_in_turn = served;
    }
    raise_known(p.known, author, next - 1);
    // An empty read below the head means the store lost entries; dropping the cursor avoids
    // asking it forever.
    if (next > head || batch.empty())
      p.cursors.erase(author);
    else
      c.next_seq = next;
  }
  if (out.entries.empty()) return std::nullopt;
  stats_.entries_synced += out.entries.size();
  return out;
}

// Progress notes go out with whatever the caller is about to send, not at the next tick: a
// peer that learns late what we got elsewhere has sent it to us again meanwhile.
void Replicator::flush_progress_notes() {
  for (auto& [id, p] : peers_) {
    if (p.progress.empty()) continue;
    std::vector<ClockEntry> notes;
    for (const auto& [author, seq] : p.progress) notes.push_back(head_note(author, seq));
    p.progress.clear();
    stats_.progress_notes_sent += notes.size();
    stats_.have_notes_sent += notes.size();
    send_have_notes(id, std::move(notes));
  }
}

std::vector<std::pair<PeerId, GossipMessage>> Replicator::take_outgoing() {
  flush_progress_notes();
  open_push_.clear();
  return std::exchange(outgoing_, {});
}

void Replicator::heard_from(Peer& p) {
  p.pushed_unheard = 0;
}

std::size_t Replicator::keepalive_entries() const {
  return std::max<std::size_t>(config_.silent_peer_entries / 4, 1);
}

void Replicator::received_from(PeerId peer, Peer& p, const PublicKey& author, std::uint64_t seq) {
  heard_from(p);
  // A peer that only feeds us would hear nothing back and take us for a silent Sybil: tell it
  // now and then that its entries arrive (naming the last one, which we hold).
  if (config_.silent_peer_entries > 0 && p.clock_received &&
      ++p.received_unanswered >= keepalive_entries() &&
      now_ms_ >= p.keepalive_ms + config_.silent_peer_ms / 10) {
    p.keepalive_ms = now_ms_;
    send(peer, HaveMsg{{head_note(author, seq)}});
    ++stats_.have_notes_sent;
  }
}

std::size_t Replicator::eager_peers() const {
  return static_cast<std::size_t>(std::count_if(peers_.begin(), peers_.end(), [](const auto& e) {
    return e.second.clock_received && e.second.eager;
  }));
}

std::optional<PeerReplicationState> Replicator::peer_state(PeerId peer) const {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return std::nullopt;
  const Peer& p = it->second;
  return PeerReplicationState{p.clock_received, p.eager, !p.cursors.empty(), p.known.size()};
}

std::optional<PeerLag> Replicator::peer_lag(PeerId peer, const ClockMsg& our_heads) const {
  auto it = peers_.find(peer);
  if (it == peers_.end() || !it->second.clock_received) return std::nullopt;
  const Peer& p = it->second;
  PeerLag lag;
  for (const ClockEntry& ours : our_heads.heads) {
    if (frozen_.contains(ours.author)) continue;
    const std::uint64_t said = known_seq(p, ours.author);
    if (said > ours.seq) lag.we_lack += said - ours.seq;
    if (!p.accepts_any && !p.accepted.contains(ours.author)) continue;
    std::uint64_t theirs = said;
    if (auto a = p.announced.find(ours.author); a != p.announced.end())
      theirs = std::max(theirs, a->second);
    if (ours.seq > theirs) lag.peer_lacks += ours.seq - theirs;
  }
  return lag;
}

bool Replicator::peer_accepts(const Peer& p, const PublicKey& author) const {
  return p.may_read && (p.accepts_any || p.accepted.contains(author));
}

std::uint64_t Replicator::known_seq(const Peer& p, const PublicKey& author) {
  auto it = p.known.find(author);
  return it == p.known.end() ? 0 : it->second;
}

void Replicator::send(PeerId peer, GossipMessage message) {
  outgoing_.emplace_back(peer, std::move(message));
  open_push_.erase(peer);
  if (auto it = peers_.find(peer); it != peers_.end()) it->second.received_unanswered = 0;
}

void Replicator::push(PeerId peer, const Bytes& entry) {
  const std::size_t framed = entry_framing_bytes + entry.size();
  if (auto it = open_push_.find(peer); it != open_push_.end()) {
    auto& msg = std::get<EntriesMsg>(outgoing_[it->second.index].second);
    if (msg.entries.size() < config_.max_entries_per_message &&
        it->second.message_bytes + framed <= config_.max_message_bytes) {
      msg.entries.push_back(entry);
      it->second.message_bytes += framed;
      peers_.at(peer).received_unanswered = 0;
      return;
    }
  }
  send(peer, EntriesMsg{true, {entry}});
  open_push_[peer] = OpenPush{outgoing_.size() - 1, entries_header_bytes + framed};
}

}  // namespace ifex
