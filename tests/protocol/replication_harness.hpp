// An in-memory network of Replicators for tests: N nodes, each with a log store in memory, linked
// by in-order message queues that a deterministic scheduler delivers in simulated time. Messages
// cross the links encoded (encode_gossip / decode_gossip) and entries are verified on arrival, as
// on the real network; only sockets, threads and the clock are simulated. Everything random comes
// from the seed, so a failing run replays exactly.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "keys/bytes.hpp"
#include "keys/identity.hpp"
#include "protocol/entry.hpp"
#include "protocol/gossip_messages.hpp"
#include "protocol/log_rules.hpp"
#include "protocol/replicator.hpp"
#include "tests/protocol/protocol_fixtures.hpp"

namespace ifex::test {

// A node's logs: verified entries appended where they fit, read back as LogReader.
class MemoryLogs final : public LogReader {
 public:
  enum class Offer { stored, duplicate, gap, conflict };

  Offer offer(const SignedEntry& e) {
    switch (fit_entry(head(e.author()), e)) {
      case ChainFit::next:
        logs_[e.author()].push_back(e);
        return Offer::stored;
      case ChainFit::known_seq:
        return logs_.at(e.author())[e.seq() - 1].id() == e.id() ? Offer::duplicate
                                                                 : Offer::conflict;
      case ChainFit::gap:
        return Offer::gap;
      case ChainFit::prev_mismatch:
        return Offer::conflict;
    }
    return Offer::conflict;
  }

  LogHead head(const PublicKey& author) const override {
    auto it = logs_.find(author);
    if (it == logs_.end() || it->second.empty()) return {};
    return head_after(it->second.back());
  }

  std::vector<Bytes> read(const PublicKey& author, std::uint64_t from_seq, std::size_t max_count,
                          std::size_t max_bytes) const override {
    std::vector<Bytes> out;
    auto it = logs_.find(author);
    if (it == logs_.end() || from_seq == 0) return out;
    std::size_t bytes = 0;
    for (std::uint64_t seq = from_seq; seq <= it->second.size() && out.size() < max_count; ++seq) {
      const Bytes& b = it->second[seq - 1].bytes();
      if (!out.empty() && bytes + b.size() > max_bytes) break;
      bytes += b.size();
      out.push_back(b);
    }
    return out;
  }

  // What this node tells a peer on connect: every accepted author with its head (0 when empty).
  ClockMsg clock(const std::vector<PublicKey>& accepted, bool accepts_any) const {
    ClockMsg c{accepts_any, {}};
    std::set<PublicKey> authors(accepted.begin(), accepted.end());
    for (const auto& [author, log] : logs_) authors.insert(author);
    for (const auto& a : authors) c.heads.push_back({a, head(a).seq});
    return c;
  }

  const std::map<PublicKey, std::vector<SignedEntry>>& logs() const { return logs_; }

 private:
  std::map<PublicKey, std::vector<SignedEntry>> logs_;
};

struct SimOptions {
  std::uint64_t seed = 1;
  ReplicatorConfig config;
  std::uint64_t tick_ms = 50;
  std::uint64_t min_latency_ms = 5;
  std::uint64_t max_latency_ms = 60;
  std::uint64_t max_jitter_ms = 5;
  std::size_t window_bytes = 64 * 1024;  // in flight per direction before sync batches wait
  bool relays = false;                   // nodes accept any author instead of the known set
  // The gossip version every node speaks (node_versions overrides it per node); a link speaks
  // the lower of its two ends', as the upgrade agrees on.
  GossipVersion version = GossipVersion::v1;
  std::map<std::size_t, GossipVersion> node_versions;
  // Authors every node accepts besides the nodes themselves (a large roster), and per node
  // authors it alone accepts besides (a node whose roster differs).
  std::vector<PublicKey> extra_authors;
  std::map<std::size_t, std::vector<PublicKey>> node_extra_authors;
};

class Simulation {
 public:
  struct Node {
    Identity identity;
    MemoryLogs logs;
    PendingEntries pending{4096};
    std::unique_ptr<Replicator> replicator;
    bool up = true;
  };

  // Per message type: how many crossed a link and their encoded bytes.
  struct Traffic {
    std::map<std::string, std::uint64_t> count;
    std::map<std::string, std::uint64_t> bytes;
    std::vector<std::size_t> clock_sizes;
  };

  Simulation(std::size_t nodes, SimOptions options) : options_(options), rng_(options.seed) {
    for (std::size_t i = 0; i < nodes; ++i) {
      auto n = std::make_unique<Node>(
          Node{seeded_identity(static_cast<std::uint8_t>(i + 1)), {}, PendingEntries(4096), {}});
      authors_.push_back(n->identity.public_key());
      nodes_.push_back(std::move(n));
    }
    for (std::size_t i = 0; i < nodes; ++i) {
      make_replicator(i);
      std::uniform_int_distribution<std::uint64_t> phase(0, options_.tick_ms - 1);
      schedule(phase(rng_), tick_event(i));
    }
  }

  // Links start disconnected; connect() or set_up() brings them up.
  std::size_t add_link(std::size_t a, std::size_t b) {
    std::uniform_int_distribution<std::uint64_t> latency(options_.min_latency_ms,
                                                         options_.max_latency_ms);
    links_.push_back(Link{a, b, latency(rng_)});
    return links_.size() - 1;
  }
  void connect_all() {
    for (std::size_t l = 0; l < links_.size(); ++l)
      if (nodes_[links_[l].end[0]]->up && nodes_[links_[l].end[1]]->up) connect(l);
  }

  void connect(std::size_t l) {
    Link& link = links_[l];
    if (link.connected) return;
    link.connected = true;
    ++link.generation;
    for (int side : {0, 1}) {
      link.peer_id[side] = next_peer_id_++;
      link.in_flight[side] = 0;
      link.last_delivery[side] = now_;
      peers_[link.peer_id[side]] = {l, side};
    }
    link.version = std::min(version_of(link.end[0]), version_of(link.end[1]));
    for (int side : {0, 1}) {
      Node& n = node(link.end[side]);
      n.replicator->on_connected(link.peer_id[side],
                                 n.logs.clock(accepted_by(link.end[side]), options_.relays), now_,
                                 true, link.version);
    }
    for (int side : {0, 1}) flush(link.end[side]);
  }

  void disconnect(std::size_t l) {
    Link& link = links_[l];
    if (!link.connected) return;
    link.connected = false;
    ++link.generation;  // messages in flight are lost with the connection
    for (int side : {0, 1}) {
      node(link.end[side]).replicator->on_disconnected(link.peer_id[side]);
      peers_.erase(link.peer_id[side]);
    }
    for (int side : {0, 1}) flush(link.end[side]);
  }

  // A crash or a block: the node's links drop; its store survives.
  void set_down(std::size_t i) {
    for (std::size_t l = 0; l < links_.size(); ++l)
      if (links_[l].end[0] == i || links_[l].end[1] == i) disconnect(l);
    nodes_[i]->up = false;
  }
  // A restart: a fresh Replicator over the same store, links to the nodes that are up.
  void set_up(std::size_t i) {
    nodes_[i]->up = true;
    make_replicator(i);
    for (std::size_t l = 0; l < links_.size(); ++l) {
      const Link& link = links_[l];
      if ((link.end[0] == i || link.end[1] == i) && nodes_[link.end[0]]->up &&
          nodes_[link.end[1]]->up)
        connect(l);
    }
  }

  // Node i signs the next entry of its own log and stores it; `announce` tells its Replicator
  // (without it the entry sits in the store unannounced, as if the peer had missed it).
  const SignedEntry& publish(std::size_t i, bool announce = true) {
    Node& n = node(i);
    LogHead h = n.logs.head(n.identity.public_key());
    std::string text = "entry " + std::to_string(h.seq + 1) + " of node " + std::to_string(i);
    SignedEntry e = make_entry(n.identity, h.seq + 1, h.id, Bytes(text.begin(), text.end()));
    if (n.logs.offer(e) != MemoryLogs::Offer::stored) fail("own entry did not fit");
    ++published_[e.author()];
    published_ids_.push_back(e.id());
    if (announce) {
      n.replicator->on_entry_stored(e, std::nullopt, now_);
      flush(i);
    }
    return n.logs.logs().at(e.author()).back();
  }

  // Node i holds an entry of another author (an extra one, not a node): every node accepting
  // that author must then get it. `announce` tells its Replicator, as if just received;
  // without it the entry is as if stored long ago.
  void hold(std::size_t i, const SignedEntry& e, bool announce = false) {
    if (node(i).logs.offer(e) != MemoryLogs::Offer::stored) fail("held entry did not fit");
    auto& count = published_[e.author()];
    count = std::max(count, e.seq());
    published_ids_.push_back(e.id());
    if (announce) {
      node(i).replicator->on_entry_stored(e, std::nullopt, now_);
      flush(i);
    }
  }

  void run_until(std::uint64_t t) {
    while (!events_.empty() && events_.top().time <= t) {
      Event e = events_.top();
      events_.pop();
      now_ = e.time;
      if (e.kind == Event::tick)
        tick(e.node);
      else
        deliver(e);
    }
    now_ = std::max(now_, t);
  }
  void run_for(std::uint64_t ms) { run_until(now_ + ms); }

  // Runs until every node that is up holds every published entry, checking every 100 ms; false
  // when `limit_ms` passes first.
  bool run_until_converged(std::uint64_t limit_ms) {
    const std::uint64_t end = now_ + limit_ms;
    while (!converged()) {
      if (now_ >= end) return false;
      run_for(100);
    }
    return true;
  }

  bool converged() const {
    for (const auto& n : nodes_)
      if (n->up && !complete(*n)) return false;
    return true;
  }
  bool complete(const Node& n) const {
    for (const auto& [author, count] : published_)
      if (n.logs.head(author).seq != count) return false;
    return true;
  }
  bool complete(std::size_t i) const { return complete(*nodes_[i]); }

  Node& node(std::size_t i) { return *nodes_[i]; }
  std::size_t size() const { return nodes_.size(); }
  std::uint64_t now() const { return now_; }
  std::mt19937& rng() { return rng_; }
  std::size_t link_count() const { return links_.size(); }
  bool connected(std::size_t l) const { return links_[l].connected; }
  const std::vector<Hash>& published_ids() const { return published_ids_; }
  std::size_t published_count() const { return published_ids_.size(); }
  // Copies of an entry received by all nodes together (pushed, synced, duplicates included).
  std::uint64_t copies(const Hash& id) const {
    auto it = copies_.find(id);
    return it == copies_.end() ? 0 : it->second;
  }
  const Traffic& traffic() const { return traffic_; }
  void reset_traffic() { traffic_ = {}; }
  // Anything that broke the harness's expectations (undecodable message, rejected control
  // message, forged or conflicting entry); the tests require it empty.
  const std::vector<std::string>& failures() const { return failures_; }
  // The other end of a node's connection, as its Replicator names it.
  std::optional<PeerId> peer_id(std::size_t i, std::size_t j) const {
    for (const auto& link : links_)
      for (int side : {0, 1})
        if (link.connected && link.end[side] == i && link.end[1 - side] == j)
          return link.peer_id[side];
    return std::nullopt;
  }

 private:
  struct Link {
    std::size_t end[2];
    std::uint64_t latency_ms;
    bool connected = false;
    std::uint64_t generation = 0;
    PeerId peer_id[2] = {0, 0};  // peer_id[s]: how end[s] names end[1 - s]
    std::size_t in_flight[2] = {0, 0};  // bytes sent by end[s], not yet delivered
    std::uint64_t last_delivery[2] = {0, 0};
    GossipVersion version = GossipVersion::v1;  // agreed at connect
  };
  struct Event {
    enum Kind { tick, deliver } kind = tick;
    std::size_t node = 0;  // tick
    std::size_t link = 0;  // deliver
    int from_side = 0;
    std::uint64_t generation = 0;
    Bytes bytes;
    std::uint64_t time = 0;
    std::uint64_t order = 0;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.time != b.time ? a.time > b.time : a.order > b.order;
    }
  };

  static Event tick_event(std::size_t i) {
    Event e;
    e.node = i;
    return e;
  }

  GossipVersion version_of(std::size_t i) const {
    auto it = options_.node_versions.find(i);
    return it == options_.node_versions.end() ? options_.version : it->second;
  }
  // The nodes, the shared extra authors and node i's own.
  std::vector<PublicKey> accepted_by(std::size_t i) const {
    std::vector<PublicKey> out = authors_;
    out.insert(out.end(), options_.extra_authors.begin(), options_.extra_authors.end());
    if (auto it = options_.node_extra_authors.find(i); it != options_.node_extra_authors.end())
      out.insert(out.end(), it->second.begin(), it->second.end());
    return out;
  }

  void make_replicator(std::size_t i) {
    std::function<bool(const PublicKey&)> accepts;
    if (options_.relays) {
      accepts = [](const PublicKey&) { return true; };
    } else {
      const std::vector<PublicKey> accepted = accepted_by(i);
      std::set<PublicKey> known(accepted.begin(), accepted.end());
      accepts = [known](const PublicKey& a) { return known.contains(a); };
    }
    ReplicatorConfig config = options_.config;
    config.sync_start_seed = i;  // as real nodes: each starts serving catch-ups elsewhere
    nodes_[i]->replicator =
        std::make_unique<Replicator>(config, nodes_[i]->logs, std::move(accepts));
  }

  void schedule(std::uint64_t time, Event e) {
    e.time = time;
    e.order = next_order_++;
    events_.push(std::move(e));
  }

  void tick(std::size_t i) {
    schedule(now_ + options_.tick_ms, tick_event(i));
    if (!nodes_[i]->up) return;
    nodes_[i]->replicator->on_tick(now_);
    flush(i);
  }

  // Sends what node i's Replicator queued, then tops up its links with sync batches.
  void flush(std::size_t i) {
    for (auto& [peer, message] : node(i).replicator->take_outgoing()) {
      auto it = peers_.find(peer);
      if (it == peers_.end()) {
        fail("a message for a peer that is gone");
        continue;
      }
      send(it->second.first, it->second.second, message);
    }
    for (std::size_t l = 0; l < links_.size(); ++l)
      for (int side : {0, 1})
        if (links_[l].end[side] == i) pump(l, side);
  }

  void pump(std::size_t l, int side) {
    Link& link = links_[l];
    while (link.connected && link.in_flight[side] < options_.window_bytes) {
      auto batch = node(link.end[side])
                       .replicator->next_sync_batch(link.peer_id[side],
                                                    options_.window_bytes - link.in_flight[side]);
      if (!batch) break;
      send(l, side, *batch);
    }
  }

  void send(std::size_t l, int side, const GossipMessage& message) {
    Link& link = links_[l];
    Bytes bytes = encode_gossip(message, link.version);
    // What an older node could not decode never crosses a link of its version.
    if (std::holds_alternative<ClockPartMsg>(message) && link.version < GossipVersion::v3)
      fail("a clock part on a link of version " + std::to_string(int(link.version)));
    if (bytes.size() > GossipLimits{}.max_message_bytes)
      fail("a " + std::string(gossip_type_name(message)) + " message of " +
           std::to_string(bytes.size()) + " bytes");
    std::string type(gossip_type_name(message));
    ++traffic_.count[type];
    traffic_.bytes[type] += bytes.size();
    if (std::holds_alternative<ClockMsg>(message)) traffic_.clock_sizes.push_back(bytes.size());
    std::uniform_int_distribution<std::uint64_t> jitter(0, options_.max_jitter_ms);
    // In order, like one TCP connection.
    std::uint64_t at = std::max(now_ + link.latency_ms + jitter(rng_), link.last_delivery[side]);
    link.last_delivery[side] = at;
    link.in_flight[side] += bytes.size();
    Event e;
    e.kind = Event::deliver;
    e.link = l;
    e.from_side = side;
    e.generation = link.generation;
    e.bytes = std::move(bytes);
    schedule(at, std::move(e));
  }

  void deliver(const Event& e) {
    Link& link = links_[e.link];
    if (!link.connected || link.generation != e.generation) return;
    link.in_flight[e.from_side] -= e.bytes.size();
    const int to_side = 1 - e.from_side;
    const std::size_t to = link.end[to_side];
    const PeerId from = link.peer_id[to_side];
    auto decoded = decode_gossip(e.bytes, GossipLimits{});
    if (!decoded) {
      fail("undecodable message: " + decoded.error().message);
      return;
    }
    Replicator& r = *node(to).replicator;
    if (Status s = r.on_message(from, *decoded, now_); !s) fail("rejected: " + s.error().message);
    if (const auto* entries = std::get_if<EntriesMsg>(&*decoded))
      receive(to, from, *entries);
    flush(to);
    pump(e.link, e.from_side);
  }

  void receive(std::size_t i, PeerId from, const EntriesMsg& msg) {
    Node& n = node(i);
    for (const auto& bytes : msg.entries) {
      auto entry = decode_entry(bytes, EntryLimits{});
      if (!entry) {
        fail("entry did not verify: " + entry.error().message);
        continue;
      }
      ++copies_[entry->id()];
      switch (n.logs.offer(*entry)) {
        case MemoryLogs::Offer::stored:
          n.replicator->on_entry_stored(*entry, from, now_);
          // Held entries it unblocked may have come from another peer, and `from` may lack
          // them: report them without a sender, so that every peer hears of them.
          for (auto& held : n.pending.take_ready(entry->author(), n.logs.head(entry->author())))
            if (n.logs.offer(held) == MemoryLogs::Offer::stored)
              n.replicator->on_entry_stored(held, std::nullopt, now_);
          break;
        case MemoryLogs::Offer::duplicate:
          n.replicator->on_duplicate(from, *entry, msg.push);
          break;
        case MemoryLogs::Offer::gap:
          n.pending.hold(*entry);
          n.replicator->on_gap(from, entry->author(), n.logs.head(entry->author()).seq, now_);
          break;
        case MemoryLogs::Offer::conflict:
          fail("conflicting entry");
          break;
      }
    }
  }

  void fail(std::string what) {
    failures_.push_back("t=" + std::to_string(now_) + " " + std::move(what));
  }

  SimOptions options_;
  std::mt19937 rng_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<PublicKey> authors_;
  std::vector<Link> links_;
  std::map<PeerId, std::pair<std::size_t, int>> peers_;  // -> (link, side of its owner)
  std::priority_queue<Event, std::vector<Event>, Later> events_;
  std::uint64_t now_ = 0;
  std::uint64_t next_order_ = 0;
  PeerId next_peer_id_ = 1;
  std::map<PublicKey, std::uint64_t> published_;
  std::vector<Hash> published_ids_;
  std::map<Hash, std::uint64_t> copies_;
  Traffic traffic_;
  std::vector<std::string> failures_;
};

}  // namespace ifex::test
