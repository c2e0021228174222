// The replication logic of one node, as pure code: events in, messages out. The network layer
// (node/net/) drives it from real connections; a simulator and fuzzers drive it without sockets.
// Time is handed in (ms, any monotonic origin); nothing here reads a clock or draws randomness.
//
// What it does (docs/protocol.md, "Replication"):
//  - catch-up: on connect both sides exchange clocks; each streams the other what it lacks, in seq
//    order per author, pulled in bounded batches as the connection's send queue drains
//    (next_sync_batch), so a slow peer gets backpressure instead of an unbounded queue;
//  - live push, Plumtree style: a new entry goes eagerly to "eager" peers and as a lazy Have note
//    to "lazy" peers. Pushed duplicates in a row prune the link (both ends turn it lazy); a Have
//    note for something the tree did not deliver within graft_timeout_ms grafts the link back
//    (eager again) and asks for the missing entries, and the graft is undone if the tree was
//    only late. A peer that takes pushes and never says anything is turned lazy.
//  - a fork proof freezes its author's log: nothing more of it is awaited or grafted.
//  - forks are looked for wherever two logs meet: a clock or have note naming another id at
//    the seq we hold is answered with our entry there, and an entry whose prev names another
//    entry than ours asks its sender for its entry at our head's seq; either way the receiver's
//    store then holds two entries for one seq and makes the fork proof.
//  - entries and fork proofs are verified and stored by the caller, which then reports the
//    outcome (on_entry_stored, on_duplicate, on_gap, on_fork_proof).
//
// Not thread-safe: one owner (the node's core thread) calls everything.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "keys/bytes.hpp"
#include "protocol/clock_parts.hpp"
#include "protocol/entry.hpp"
#include "protocol/gossip_messages.hpp"
#include "protocol/log_rules.hpp"

namespace ifex {

using PeerId = std::uint64_t;  // chosen by the caller, unique per connection

// Read access to the node's logs.
class LogReader {
 public:
  virtual ~LogReader() = default;
  // seq 0 when the node holds nothing of `author`.
  virtual LogHead head(const PublicKey& author) const = 0;
  // Encoded entries of `author` from `from_seq` on, in seq order: at most max_count, and stopping
  // before max_bytes would be exceeded (but at least one entry when there is one).
  virtual std::vector<Bytes> read(const PublicKey& author, std::uint64_t from_seq,
                                  std::size_t max_count, std::size_t max_bytes) const = 0;
};

// Defaults chosen with the simulator (docs/simulator.md, "Choosing the replicator's settings").
struct ReplicatorConfig {
  std::uint64_t graft_timeout_ms = 300;  // wait for the tree before grafting a lazy link
  std::uint64_t graft_retry_ms = 500;    // then ask the next announcers this often
  // Announcers grafted at once when the tree is late (and on each retry): more than one races
  // a graft reply stuck behind a TCP retransmission, at the cost of a duplicate reply.
  std::size_t graft_fanout = 1;
  // A pushed duplicate prunes its link only while more than this many peers are eager (0: any):
  // a node keeps a second parent instead of a bare spanning tree.
  std::size_t min_eager_peers = 0;
  // Pushed duplicates a peer sends in a row (no new entry from it between) before its link is
  // pruned. One late push (a retransmission) then no longer tears a good tree link out.
  std::size_t prune_after_duplicates = 4;
  // When what a timed-out graft asked for arrives first from another peer, the lazy links that
  // graft turned eager are pruned again: the tree was only late, the repair is not kept.
  bool revert_needless_grafts = true;
  // A peer we pushed this many entries to without hearing anything from it (a silent Sybil),
  // although silent_peer_ms have passed since the first quarter of them, is demoted to lazy
  // (0: never). An honest peer fed by us speaks well before: it sends a Have note when a quarter
  // as many entries have come (at most once per tenth of silent_peer_ms).
  std::size_t silent_peer_entries = 40;
  std::uint64_t silent_peer_ms = 10'000;
  // Where this node starts serving a catch-up among the authors a peer lacks. Nodes with
  // different seeds start at different authors, so a node catching up from several peers gets
  // different logs from each at first, and its progress notes make each skip what another sent.
  std::uint64_t sync_start_seed = 0;
  // Catch-up serves the authors a peer lacks in turns of this many bytes each, round robin.
  // A turn must outlast what is in flight between two nodes (send queue, socket buffers, the
  // receiver's verify queue: about 10 MB on loopback), so that several peers serving one node
  // work on different logs and its progress notes reach them before they overlap; and stay
  // short enough that one huge log (a hub's imported archive) does not hold back all others.
  std::size_t sync_turn_bytes = 32 << 20;
  std::size_t max_message_bytes = 120 * 1024;  // budget of one EntriesMsg
  std::size_t max_entries_per_message = 1024;
  // What one clock, clock part or have note may take: the max_message_bytes every node decodes
  // by default (GossipLimits), so that a clock that fits today still goes in one message.
  std::size_t max_control_message_bytes = 128 * 1024;
  // The most authors a peer's clock may list, over all its parts (GossipLimits::max_clock_authors).
  std::size_t max_clock_authors = 100'000;
};

struct ReplicatorStats {
  std::uint64_t entries_pushed = 0;    // sent eagerly
  std::uint64_t entries_synced = 0;    // sent by catch-up or graft replies
  std::uint64_t have_notes_sent = 0;   // (author, seq) pairs in Have messages
  std::uint64_t progress_notes_sent = 0;  // of those, telling a peer ahead of us how far we got
  std::uint64_t duplicates = 0;        // entries received that were already stored
  std::uint64_t prunes_sent = 0;
  std::uint64_t grafts_sent = 0;
  std::uint64_t head_conflicts = 0;    // a peer's clock or have note named another id at our head
  std::uint64_t mismatch_grafts = 0;   // grafts asking for the entry an arriving one chained to
  std::uint64_t clock_parts_sent = 0;  // version 3: ClockPartMsg messages
  // Version 1 and 2 peers, to which our clock did not fit in one message: clocks sent with only
  // the authors the peer listed, and authors left out even then (the message was still full).
  std::uint64_t clocks_narrowed = 0;
  std::uint64_t clock_authors_left_out = 0;
};

// How far one connected peer and this node are apart, by what this node knows of the peer: its
// clock, its Have notes, the entries it sent us, and the entries we sent or announced to it.
// Counted over the logs both carry (this node's clock against the authors the peer's clock
// lists), so it costs one step per such log and reads no entry.
struct PeerLag {
  std::uint64_t peer_lacks = 0;  // entries we hold that the peer is not known to hold
  std::uint64_t we_lack = 0;     // entries the peer said it holds that we do not
};

struct PeerReplicationState {
  bool clock_received = false;
  bool eager = true;           // we push entries to it (else Have notes)
  bool syncing = false;        // catch-up or graft replies still to send
  std::size_t authors_known = 0;
};

class Replicator {
 public:
  // `accepts(author)`: whether this node stores that author's entries (own key, roster, or any
  // for a relay). Entries of other authors are never requested.
  Replicator(ReplicatorConfig config, const LogReader& logs,
             std::function<bool(const PublicKey&)> accepts);

  // A connection finished its handshake. Queues our clock for the peer. A peer that may not
  // read (`may_read` false: a node neither rostered nor configured, where the operator does not
  // serve those) is sent nothing of any log: no catch-up, pushes, notes, graft replies or fork
  // proofs; it gets our clock only, so that it can send us what we lack.
  // `version` is what the connection agreed on: from version 3 our clock goes in parts; to an
  // older peer a clock too large for one message waits for the peer's clock and then lists only
  // the authors the peer listed (docs/protocol.md, "Versions").
  void on_connected(PeerId peer, ClockMsg our_clock, std::uint64_t now_ms, bool may_read = true,
                    GossipVersion version = newest_gossip_version);
  void on_disconnected(PeerId peer);
  // The set of authors this node accepts changed (its roster): sends the new clock to every
  // peer, which then streams what it holds of the newly accepted authors.
  void on_local_clock_changed(const ClockMsg& our_clock);

  // A control message from the peer: ClockMsg, ClockPartMsg, HaveMsg, PruneMsg or GraftMsg.
  // Between the parts of one clock nothing else may come. (EntriesMsg and
  // ForkProofMsg go through the caller's verify-and-store path and come back as the on_* calls
  // below.) A message that breaks the protocol returns an error: disconnect the peer.
  // The caller may pass EntriesMsg and ForkProofMsg here too, before its own handling, to check
  // that they did not come before the clock; they have no other effect here.
  [[nodiscard]] Status on_message(PeerId peer, const GossipMessage& message, std::uint64_t now_ms);

  // A new entry was stored: published locally (from = nullopt) or received from `from`.
  void on_entry_stored(const SignedEntry& entry, std::optional<PeerId> from, std::uint64_t now_ms);
  // An entry from `from` was already stored; `pushed` when it came in an EntriesMsg with push set.
  void on_duplicate(PeerId from, const SignedEntry& entry, bool pushed);
  // An entry from `from` could not be appended: this node holds `author` only up to `have_seq`.
  void on_gap(PeerId from, const PublicKey& author, std::uint64_t have_seq, std::uint64_t now_ms);
  // An entry from `from` fits our head's seq + 1 but names another predecessor than our head:
  // the author signed two entries at head.seq (or earlier). Asks `from` for its log from
  // head.seq, whose first entry then makes the fork proof here. Once per author and head seq
  // per peer, so a peer with a broken log cannot keep us asking.
  void on_prev_mismatch(PeerId from, const PublicKey& author, const LogHead& head,
                        std::uint64_t now_ms);
  // A new fork proof was stored (received from `from`, or detected here): pass it on. The
  // author's log is frozen from now on, so its missing entries are no longer awaited or grafted,
  // and a peer that connects later and carries the author gets the proof after its clock (a
  // node that was away when it spread would otherwise never learn it). The owner also calls
  // this at start for each proof its store holds. `proof` is verified by the caller
  // (docs/protocol.md, "Fork proof").
  void on_fork_proof(const Bytes& proof, std::optional<PeerId> from);

  // Timers: grafts for lazy notes the tree did not honour, batched Have notes.
  void on_tick(std::uint64_t now_ms);

  // Messages to send, in order, since the last call.
  std::vector<std::pair<PeerId, GossipMessage>> take_outgoing();

  // Catch-up and graft replies, pulled when `peer`'s send queue has room: the next batch of
  // entries (at most budget_bytes of entry bytes, at least one entry), or nullopt when done.
  std::optional<EntriesMsg> next_sync_batch(PeerId peer, std::size_t budget_bytes);

  const ReplicatorStats& stats() const { return stats_; }
  std::optional<PeerReplicationState> peer_state(PeerId peer) const;
  // `our_heads`: this node's clock (the heads of the logs it carries). nullopt before the
  // peer's clock. Entries of a peer we may not serve count too: it lacks them all the same.
  // Logs frozen by a fork proof are left out (they no longer move).
  std::optional<PeerLag> peer_lag(PeerId peer, const ClockMsg& our_heads) const;

 private:
  struct Cursor {
    std::uint64_t next_seq;  // next entry to send
    // The peer said it got entries of this log that we had not sent yet: another peer is
    // serving it, so this log waits until the peer lacks nothing else from us.
    bool served_elsewhere = false;
  };
  struct Missing {
    std::uint64_t seq;                // announced head
    std::uint64_t deadline_ms;        // graft when passed
    std::vector<PeerId> announcers;   // peers that said they have it, not grafted yet, in order
    std::vector<PeerId> asked;        // announcers grafted already, least recently first
    std::vector<PeerId> made_eager;   // lazy links the timer's grafts turned eager
    std::uint64_t head_seen;          // our head when the deadline was set
  };
  struct Peer {
    explicit Peer(std::size_t max_clock_authors) : clock_parts(max_clock_authors) {}
    bool may_read = true;
    GossipVersion version = newest_gossip_version;
    ClockAssembler clock_parts;    // its clock while it arrives in parts
    bool clock_waits = false;      // ours waits for its clock (too large for an old peer)
    bool clock_narrowed = false;   // ours lists only the authors it listed: resend on its update
    bool clock_received = false;
    bool accepts_any = false;
    std::set<PublicKey> accepted;                  // authors in its clock
    std::map<PublicKey, std::uint64_t> known;      // how far we know it holds each log
    bool eager = true;
    std::map<PublicKey, Cursor> cursors;           // catch-up / graft replies
    std::optional<PublicKey> last_served;          // round-robin position among the cursors
    std::size_t served_in_turn = 0;                // bytes of last_served sent in its turn
    std::map<PublicKey, std::uint64_t> have_queue; // lazy notes to flush
    // How far our Have notes told it we hold each log: it holds that or grafts it (peer_lag).
    std::map<PublicKey, std::uint64_t> announced;
    std::map<PublicKey, std::uint64_t> last_graft_ms;
    ClockMsg our_clock;                            // what we told it, to start catch-up from
    std::set<PublicKey> stored_before_clock;       // authors stored after our clock went out
    std::size_t duplicate_streak = 0;              // pushed duplicates since its last new entry
    std::size_t pushed_unheard = 0;                // entries pushed to it since it last spoke
    std::uint64_t answer_due_ms = 0;               // it should have spoken by then
    std::size_t received_unanswered = 0;           // entries from it since we last wrote to it
    std::uint64_t keepalive_ms = 0;                // our last Have note for that reason
    // Logs it holds further than we do, and how far we got meanwhile from others: sent as a
    // Have note at the next tick so its catch-up cursor to us skips what we no longer lack.
    std::map<PublicKey, std::uint64_t> progress;
    // Forks looked for with it: (author, seq) of heads we answered with our entry, and the
    // seq each mismatch graft asked from.
    std::set<std::pair<PublicKey, std::uint64_t>> conflicts_answered;
    std::map<PublicKey, std::uint64_t> mismatch_asked;
    std::set<PublicKey> proofs_sent;  // fork proofs it has from us
  };
  // The push EntriesMsg to a peer that later pushes may join, while it is the last message
  // queued for that peer.
  struct OpenPush {
    std::size_t index;          // into outgoing_
    std::size_t message_bytes;  // encoded size so far
  };

  bool peer_accepts(const Peer& p, const PublicKey& author) const;
  static std::uint64_t known_seq(const Peer& p, const PublicKey& author);
  void send(PeerId peer, GossipMessage message);
  void send_clock(PeerId peer, Peer& p);
  [[nodiscard]] Status on_clock(PeerId peer, Peer& p, const ClockMsg& clock);
  void send_have_notes(PeerId peer, std::vector<ClockEntry> notes);
  void push(PeerId peer, const Bytes& entry);
  void start_catch_up(Peer& p);
  void on_have(PeerId peer, Peer& p, const HaveMsg& have, std::uint64_t now_ms);
  void on_graft(Peer& p, const GraftMsg& graft);
  void graft(PeerId peer, Peer& p, const PublicKey& author, std::uint64_t from_seq,
             std::uint64_t now_ms);
  Missing& expect_from(PeerId peer, const PublicKey& author, std::uint64_t seq,
                       std::uint64_t deadline_ms);
  void flush_have_notes();
  void flush_progress_notes();
  std::size_t eager_peers() const;
  static void heard_from(Peer& p);
  std::size_t keepalive_entries() const;
  void received_from(PeerId peer, Peer& p, const PublicKey& author, std::uint64_t seq);
  ClockEntry head_note(const PublicKey& author, std::uint64_t seq) const;
  ClockMsg with_head_ids(ClockMsg clock) const;
  void compare_head(PeerId peer, Peer& p, const ClockEntry& theirs);
  void send_fork_proofs(PeerId peer, Peer& p);

  ReplicatorConfig config_;
  const LogReader& logs_;
  std::function<bool(const PublicKey&)> accepts_;
  std::map<PeerId, Peer> peers_;  // ordered: the same events give the same messages everywhere
  std::map<PublicKey, Missing> missing_;
  // Authors with a fork proof, and the first proof seen of each: nothing more of them is
  // awaited, and every peer that carries one of them is sent its proof when it connects.
  std::map<PublicKey, Bytes> frozen_;
  std::uint64_t now_ms_ = 0;    // the latest time handed in (on_duplicate gets none)
  std::vector<std::pair<PeerId, GossipMessage>> outgoing_;
  std::unordered_map<PeerId, OpenPush> open_push_;
  ReplicatorStats stats_;
};

}  // namespace ifex
