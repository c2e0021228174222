#include "protocol/sim/simulation.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "protocol/sim/alert_payload.hpp"

namespace ifex::sim {

namespace {

// Entries carry the author's wall clock; the simulation's starts at a fixed instant.
constexpr std::uint64_t epoch_ms = 1'700'000'000'000;

// Action phases.
constexpr std::uint32_t starts = 0;
constexpr std::uint32_t ends = 1;
constexpr std::uint32_t forges = 2;

// How a node names the other end of link l's connection `generation`, seen from `side`:
// unique per connection, and ordered the same way in every run.
PeerId peer_id(std::uint32_t l, std::uint32_t generation, int side) {
  return (static_cast<PeerId>(generation) << 32) | (static_cast<PeerId>(l) << 1) |
         static_cast<PeerId>(side);
}

std::uint64_t sync_key(std::uint32_t l, int side) {
  return (static_cast<std::uint64_t>(l) << 1) | static_cast<std::uint64_t>(side);
}

void put_u64(Bytes& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

}  // namespace

Simulation::Simulation(Scenario scenario)
    : scenario_(std::move(scenario)),
      rng_(scenario_.seed),
      topology_(build_topology(scenario_, rng_)),
      metrics_(topology_.roles.size()) {
  const auto n = static_cast<std::uint32_t>(topology_.roles.size());
  honest_.assign(n, false);
  blocked_.assign(n, false);
  group_.assign(n, 0);
  seeds_.resize(n);
  keys_.resize(n);
  node_links_.resize(n);
  syncing_.resize(n);
  blocked_by_.resize(scenario_.events.size());

  // Only members author entries, so only they get identities: seeded by the scenario's seed
  // and the node's index. The secret is rebuilt when it signs, not kept for 10,000 nodes.
  auto roster = std::make_shared<std::set<PublicKey>>();
  for (std::uint32_t i = 0; i < n; ++i) {
    if (topology_.roles[i] != Role::member) continue;
    Bytes seed;
    put_u64(seed, scenario_.seed);
    put_u64(seed, i);
    const std::string label = "ifexnode-sim/id1";
    seed.insert(seed.end(), label.begin(), label.end());
    keys_[i] = Identity::from_seed(seed).public_key();
    seeds_[i] = std::move(seed);
    roster->insert(keys_[i]);
  }
  roster_ = std::move(roster);

  nodes_.resize(n);
  if (scenario_.roster.enabled) setup_roster();
  for (std::uint32_t i = 0; i < n; ++i) {
    const Role r = topology_.roles[i];
    if (r == Role::sybil) continue;
    honest_[i] = true;
    if (nodes_[i]) continue;  // a roster scenario's member, made above
    nodes_[i] = std::make_unique<SimNode>(i, r == Role::member ? roster_ : nullptr,
                                          scenario_.replicator, pool_, metrics_);
  }

  const LinkSettings& ls = scenario_.links;
  for (const auto& spec : topology_.links) {
    Link k;
    k.end[0] = spec.a;
    k.end[1] = spec.b;
    k.latency_us = uniform(rng_, ls.latency_ms.min * 1000, ls.latency_ms.max * 1000);
    // Longer links wait longer before a retransmission, as TCP's RTO follows the RTT.
    const double where =
        ls.latency_ms.max == ls.latency_ms.min
            ? 0.0
            : static_cast<double>(k.latency_us - ls.latency_ms.min * 1000) /
                  static_cast<double>((ls.latency_ms.max - ls.latency_ms.min) * 1000);
    k.rto_us = static_cast<std::uint64_t>(
        1000.0 * (static_cast<double>(ls.rto_ms.min) +
                  where * static_cast<double>(ls.rto_ms.max - ls.rto_ms.min)));
    k.dial_at_ms = spec.dial_at_ms;
    const auto l = static_cast<std::uint32_t>(links_.size());
    links_.push_back(k);
    node_links_[spec.a].push_back(l);
    node_links_[spec.b].push_back(l);
  }
  for (std::uint32_t l = 0; l < links_.size(); ++l) {
    ++links_[l].attempt;
    schedule(links_[l].dial_at_ms * 1000, EventKind::dial, l, 0, links_[l].attempt);
  }

  const std::uint64_t tick_us = scenario_.replicator.tick_ms * 1000;
  tick_phase_us_.assign(n, 0);
  tick_scheduled_.assign(n, false);
  for (std::uint32_t i = 0; i < n; ++i)
    if (nodes_[i]) tick_phase_us_[i] = uniform(rng_, 0, tick_us - 1);

  if (scenario_.publish.count > 0)
    schedule(scenario_.publish.start_ms * 1000, EventKind::publish, 0);

  for (std::uint32_t k = 0; k < scenario_.events.size(); ++k) {
    const auto& event = scenario_.events[k];
    if (const auto* b = std::get_if<BlockEvent>(&event)) {
      schedule(b->at_ms * 1000, EventKind::action, k, starts);
      if (b->until_ms) schedule(*b->until_ms * 1000, EventKind::action, k, ends);
    } else if (const auto* p = std::get_if<PartitionEvent>(&event)) {
      schedule(p->at_ms * 1000, EventKind::action, k, starts);
      schedule(p->heal_ms * 1000, EventKind::action, k, ends);
    } else if (const auto* s = std::get_if<SybilEvent>(&event)) {
      // Its links dial from at_ms on (topology); forging is the only action.
      if (s->forge_at_ms) schedule(*s->forge_at_ms * 1000, EventKind::action, k, forges);
    } else if (const auto* q = std::get_if<EquivocateEvent>(&event)) {
      schedule(q->at_ms * 1000, EventKind::action, k, starts);
    }
  }
}

Simulation::~Simulation() = default;

Identity Simulation::identity_of(std::uint32_t member) const {
  return Identity::from_seed(seeds_[member]);
}

SignedEntry Simulation::sign_next(std::uint32_t member, Bytes payload, EntryKind kind) const {
  const LogHead head = nodes_[member] ? nodes_[member]->store().head(keys_[member]) : LogHead{};
  EntryFields f{keys_[member],       head.seq + 1, head.id,
                epoch_ms + now_ms(), kind,         std::move(payload)};
  return sign_entry(identity_of(member), std::move(f));
}

void Simulation::schedule(std::uint64_t at_us, EventKind kind, std::uint32_t target,
                          std::uint32_t side, std::uint32_t generation, Bytes bytes) {
  Event e;
  e.kind = kind;
  e.target = target;
  e.side = side;
  e.generation = generation;
  e.bytes = std::move(bytes);
  queue_.push(at_us, std::move(e));
}

void Simulation::run() {
  const std::uint64_t end_us = scenario_.duration_ms * 1000;
  while (!queue_.empty() && queue_.next_time() <= end_us) {
    Event e = queue_.pop();
    now_us_ = e.time_us;
    handle(e);
  }
  now_us_ = end_us;
  // What each node computes from what it holds at the end, whatever its poll timer.
  for (auto v : governed_) nodes_[v]->refresh_roster(now_us_);
}

void Simulation::handle(Event& e) {
  switch (e.kind) {
    case EventKind::tick:
      return tick(e.target);
    case EventKind::deliver:
      return deliver(e);
    case EventKind::dial:
      return on_dial(e.target, e.generation);
    case EventKind::connected:
      return on_handshake_done(e.target, e.generation);
    case EventKind::link_failure:
      if (links_[e.target].connected && links_[e.target].generation == e.generation)
        disconnect(e.target);
      return;
    case EventKind::publish:
      return publish();
    case EventKind::action:
      return action(e.target, e.side);
    case EventKind::roster:
      return roster_step(e.target, e.side);
  }
}

// ---- links and the dialer ----

bool Simulation::allowed(std::uint32_t l) const {
  const std::uint32_t a = links_[l].end[0], b = links_[l].end[1];
  if (blocked_[a] || blocked_[b]) return false;
  // A partition splits the honest federation; Sybils sit on both sides.
  if (topology_.roles[a] == Role::sybil || topology_.roles[b] == Role::sybil) return true;
  return group_[a] == group_[b];
}

std::uint64_t Simulation::backoff_us(unsigned failures) {
  const Range& b = scenario_.reconnect.backoff_ms;
  const double base = std::min(static_cast<double>(b.min) * std::pow(2.0, std::min(failures, 30u)),
                               static_cast<double>(b.max));
  // 50-100 %, as the dialer: nodes cut together do not redial in lock step.
  return static_cast<std::uint64_t>(base * 1000 * (0.5 + 0.5 * unit(rng_)));
}

void Simulation::dial_after(std::uint32_t l, std::uint64_t delay_us) {
  Link& k = links_[l];
  ++k.attempt;
  schedule(now_us_ + delay_us, EventKind::dial, l, 0, k.attempt);
}

void Simulation::on_dial(std::uint32_t l, std::uint32_t attempt) {
  Link& k = links_[l];
  if (attempt != k.attempt || k.connected) return;
  // TCP, the WebSocket upgrade and the handshake: a few round trips before the clocks.
  schedule(now_us_ + scenario_.links.connect_rtts * 2 * k.latency_us, EventKind::connected, l, 0,
           attempt);
}

void Simulation::on_handshake_done(std::uint32_t l, std::uint32_t attempt) {
  Link& k = links_[l];
  if (attempt != k.attempt || k.connected) return;
  if (allowed(l)) {
    k.dial_failures = 0;
    connect(l);
  } else if (scenario_.reconnect.enabled) {
    dial_after(l, backoff_us(k.dial_failures++));
  }
}

void Simulation::connect(std::uint32_t l) {
  Link& k = links_[l];
  k.connected = true;
  ++k.generation;
  k.open(now_us_);
  for (int side : {0, 1})
    if (SimNode* n = nodes_[k.end[side]].get())
      n->replicator().on_connected(peer_id(l, k.generation, side), n->clock(), now_ms(), true,
                                   scenario_.replicator.gossip_version);
  // A Sybil claims to be a relay that holds nothing, so honest nodes send it everything.
  for (int side : {0, 1})
    if (!nodes_[k.end[side]]) send(l, side, ClockMsg{true, {}});
  for (int side : {0, 1})
    if (nodes_[k.end[side]]) flush(k.end[side]);
  if (scenario_.links.failure_mtbf_s > 0)
    schedule(now_us_ + static_cast<std::uint64_t>(
                           exponential(rng_, scenario_.links.failure_mtbf_s * 1e6)),
             EventKind::link_failure, l, 0, k.generation);
}

void Simulation::disconnect(std::uint32_t l) {
  Link& k = links_[l];
  if (!k.connected) return;
  k.connected = false;
  for (int side : {0, 1}) {
    const std::uint32_t v = k.end[side];
    if (!nodes_[v]) continue;
    nodes_[v]->replicator().on_disconnected(peer_id(l, k.generation, side));
    syncing_[v].erase(sync_key(l, side));
  }
  for (int side : {0, 1})
    if (nodes_[k.end[side]]) flush(k.end[side]);
  if (scenario_.reconnect.enabled) dial_after(l, backoff_us(0));
}

// ---- messages ----

void Simulation::send(std::uint32_t l, int side, const GossipMessage& message) {
  Link& k = links_[l];
  Bytes bytes = encode_gossip(message, scenario_.replicator.gossip_version);
  const std::uint32_t from = k.end[side];
  if (honest_[from])
    metrics_.sent(message, bytes.size(), topology_.roles[k.end[1 - side]] == Role::sybil);
  const std::uint64_t at = k.send(side, bytes.size(), now_us_, scenario_.links.loss,
                                  scenario_.links.bandwidth_bytes_per_s, rng_);
  schedule(at, EventKind::deliver, l, static_cast<std::uint32_t>(side), k.generation,
           std::move(bytes));
}

void Simulation::deliver(Event& e) {
  const std::uint32_t l = e.target;
  Link& k = links_[l];
  // Whatever was in flight when the connection closed is lost with it.
  if (!k.connected || k.generation != e.generation) return;
  const int from_side = static_cast<int>(e.side);
  const int to_side = 1 - from_side;
  k.in_flight[from_side] -= e.bytes.size();
  const std::uint32_t sender = k.end[from_side];
  const std::uint32_t to = k.end[to_side];
  SimNode* node = nodes_[to].get();
  if (!node) {
    // A Sybil drops everything; its reading still opens the sender's window.
    if (nodes_[sender]) pump(l, from_side);
    return;
  }

  auto decoded = decode_gossip(e.bytes, GossipLimits{});
  const bool from_sybil = !nodes_[sender];
  if (!decoded) {
    if (!from_sybil) metrics_.failure(now_us_, "undecodable message: " + decoded.error().message);
    return disconnect(l);
  }
  const PeerId from = peer_id(l, k.generation, to_side);
  if (Status s = node->replicator().on_message(from, *decoded, now_ms()); !s) {
    if (!from_sybil) metrics_.failure(now_us_, "message rejected: " + s.error().message);
    return disconnect(l);
  }
  SimNode::Verdict verdict;
  if (const auto* entries = std::get_if<EntriesMsg>(&*decoded)) {
    verdict = node->receive_entries(from, *entries, now_us_);
    roster_stored(to);
  } else if (const auto* proof = std::get_if<ForkProofMsg>(&*decoded)) {
    verdict = node->receive_fork_proof(from, proof->proof, now_us_);
  } else if (const auto* have = std::get_if<HaveMsg>(&*decoded)) {
    node->note_have(*have);
  } else if (std::holds_alternative<ClockMsg>(*decoded) ||
             std::holds_alternative<ClockPartMsg>(*decoded) ||
             std::holds_alternative<GraftMsg>(*decoded)) {
    // The only messages that give the Replicator something to stream on this link (a clock in
    // parts at its last; the earlier parts cost a look at nothing).
    syncing_[to].insert(sync_key(l, to_side));
  }
  if (!verdict.keep) {
    if (verdict.forged) metrics_.forged_rejected();
    if (!from_sybil) metrics_.failure(now_us_, "peer dropped: " + verdict.why);
    return disconnect(l);
  }
  flush(to);
  wake(to);
  if (nodes_[sender] && k.connected) pump(l, from_side);
}

void Simulation::flush(std::uint32_t v) {
  for (auto& [peer, message] : nodes_[v]->replicator().take_outgoing()) {
    const auto l = static_cast<std::uint32_t>((peer >> 1) & 0x7fff'ffff);
    const int side = static_cast<int>(peer & 1);
    const auto generation = static_cast<std::uint32_t>(peer >> 32);
    if (l >= links_.size() || !links_[l].connected || links_[l].generation != generation ||
        links_[l].end[side] != v) {
      metrics_.failure(now_us_, "a message for a peer that is gone");
      continue;
    }
    send(l, side, message);
  }
  pump_all(v);
}

void Simulation::pump(std::uint32_t l, int side) {
  Link& k = links_[l];
  const std::uint32_t v = k.end[side];
  auto& syncing = syncing_[v];
  if (!syncing.contains(sync_key(l, side))) return;
  const std::size_t window = scenario_.links.window_bytes;
  while (k.connected && k.in_flight[side] < window) {
    auto batch = nodes_[v]->replicator().next_sync_batch(peer_id(l, k.generation, side),
                                                         window - k.in_flight[side]);
    if (!batch) {
      syncing.erase(sync_key(l, side));
      return;
    }
    send(l, side, *batch);
  }
}

void Simulation::pump_all(std::uint32_t v) {
  if (syncing_[v].empty()) return;
  const std::vector<std::uint64_t> keys(syncing_[v].begin(), syncing_[v].end());
  for (auto key : keys) pump(static_cast<std::uint32_t>(key >> 1), static_cast<int>(key & 1));
}

// ---- the scenario ----

void Simulation::tick(std::uint32_t v) {
  SimNode& n = *nodes_[v];
  n.tick(now_us_);
  flush(v);
  tick_scheduled_[v] = n.tick_due();
  if (tick_scheduled_[v])
    schedule(now_us_ + scenario_.replicator.tick_ms * 1000, EventKind::tick, v);
}

void Simulation::wake(std::uint32_t v) {
  if (tick_scheduled_[v] || !nodes_[v]->tick_due()) return;
  // The node's next tick time at or after now: the timer runs all along in a real node.
  const std::uint64_t period = scenario_.replicator.tick_ms * 1000;
  const std::uint64_t phase = tick_phase_us_[v];
  const std::uint64_t at =
      now_us_ <= phase ? phase : phase + (now_us_ - phase + period - 1) / period * period;
  tick_scheduled_[v] = true;
  schedule(at, EventKind::tick, v);
}

void Simulation::publish() {
  const PublishSettings& p = scenario_.publish;
  std::vector<std::uint32_t> candidates;
  for (std::uint32_t i = 0; i < size(); ++i)
    if (topology_.roles[i] == Role::member && honest_[i] && !blocked_[i] && !forked_.contains(i))
      candidates.push_back(i);
  if (!candidates.empty()) {
    const std::uint32_t m = candidates[uniform(rng_, 0, candidates.size() - 1)];
    const std::int64_t alert = metrics_.add_alert(m, now_us_, published_ >= p.warmup);
    Bytes payload =
        alert_payload("Simulated alert " + std::to_string(alert) + " by node " + std::to_string(m),
                      p.payload_bytes);
    const PooledEntry* e = pool_.add_signed(sign_next(m, std::move(payload)), alert);
    nodes_[m]->publish(e, now_us_);
    flush(m);
    wake(m);
  }
  if (++published_ < p.count)
    schedule(now_us_ + static_cast<std::uint64_t>(exponential(rng_, p.interval_ms * 1000)),
             EventKind::publish, 0);
}

void Simulation::action(std::uint32_t index, std::uint32_t phase) {
  const ScenarioEvent& event = scenario_.events[index];
  if (const auto* b = std::get_if<BlockEvent>(&event)) {
    if (phase == starts) return block(index, *b);
    for (auto v : blocked_by_[index]) blocked_[v] = false;  // links redial on their backoff
  } else if (const auto* p = std::get_if<PartitionEvent>(&event)) {
    if (phase == starts) return partition(*p);
    std::fill(group_.begin(), group_.end(), 0);
  } else if (const auto* s = std::get_if<SybilEvent>(&event)) {
    forge(index, *s);
  } else if (const auto* q = std::get_if<EquivocateEvent>(&event)) {
    if (q->behind_partition)
      equivocate_behind_partition();
    else
      equivocate();
  }
}

void Simulation::block(std::uint32_t index, const BlockEvent& e) {
  std::vector<std::uint32_t> chosen;
  const Role role = e.target == Target::hub       ? Role::hub
                    : e.target == Target::members ? Role::member
                                                  : Role::relay;
  for (std::uint32_t i = 0; i < size(); ++i)
    if (topology_.roles[i] == role && !blocked_[i]) chosen.push_back(i);
  const auto count =
      static_cast<std::size_t>(std::llround(e.fraction * static_cast<double>(chosen.size())));
  for (std::size_t i = 0; i < count; ++i)
    std::swap(chosen[i], chosen[uniform(rng_, i, chosen.size() - 1)]);
  chosen.resize(count);
  std::sort(chosen.begin(), chosen.end());
  for (auto v : chosen) {
    blocked_[v] = true;
    for (auto l : node_links_[v]) disconnect(l);
  }
  blocked_by_[index] = std::move(chosen);
}

void Simulation::partition(const PartitionEvent& e) {
  std::vector<std::uint32_t> nodes;
  for (std::uint32_t i = 0; i < size(); ++i)
    if (topology_.roles[i] != Role::sybil) nodes.push_back(i);
  shuffle(rng_, nodes);
  const auto count =
      static_cast<std::size_t>(std::llround(e.fraction * static_cast<double>(nodes.size())));
  for (std::size_t i = 0; i < count; ++i) group_[nodes[i]] = 1;
  for (std::uint32_t l = 0; l < links_.size(); ++l)
    if (links_[l].connected && !allowed(l)) disconnect(l);
}

void Simulation::forge(std::uint32_t index, const SybilEvent& e) {
  std::vector<std::uint32_t> members;
  for (std::uint32_t i = 0; i < size(); ++i)
    if (topology_.roles[i] == Role::member) members.push_back(i);
  const std::uint32_t first = topology_.first_sybil[index];
  for (std::uint32_t s = first; s < first + e.count; ++s) {
    // A member's next entry, signed, then altered: what a Sybil would need to slip an alert
    // into a member's log. The signature no longer matches.
    const std::uint32_t m = members[uniform(rng_, 0, members.size() - 1)];
    Bytes forged = sign_next(m, alert_payload("Forged by sybil " + std::to_string(s), 0)).bytes();
    forged[entry_header_size] ^= 0x01;
    forged_.push_back(forged);
    for (auto l : node_links_[s]) {
      if (!links_[l].connected) continue;
      send(l, links_[l].end[0] == s ? 0 : 1, EntriesMsg{true, {forged}});
      metrics_.forged_sent();
    }
  }
}

void Simulation::equivocate() {
  std::vector<std::uint32_t> candidates;
  for (std::uint32_t i = 0; i < size(); ++i) {
    if (topology_.roles[i] != Role::member || !honest_[i] || blocked_[i]) continue;
    std::size_t peers = 0;
    for (auto l : node_links_[i]) peers += links_[l].connected;
    if (peers >= 2) candidates.push_back(i);
  }
  if (candidates.empty()) return metrics_.failure(now_us_, "no member could equivocate");
  const std::uint32_t m = candidates[uniform(rng_, 0, candidates.size() - 1)];
  const PooledEntry* a = pool_.add_signed(sign_next(m, alert_payload("Equivocation, one", 0)), -1);
  const PooledEntry* b = pool_.add_signed(sign_next(m, alert_payload("Equivocation, two", 0)), -1);
  honest_[m] = false;
  nodes_[m]->conceal_forks_of(keys_[m]);
  nodes_[m]->store_quietly(a);
  metrics_.add_equivocation(keys_[m], m, now_us_);
  std::vector<std::uint32_t> links;
  for (auto l : node_links_[m])
    if (links_[l].connected) links.push_back(l);
  for (std::size_t i = 0; i < links.size(); ++i) {
    const std::uint32_t l = links[i];
    const Bytes& bytes = (i < (links.size() + 1) / 2 ? a : b)->entry.bytes();
    send(l, links_[l].end[0] == m ? 0 : 1, EntriesMsg{true, {bytes}});
  }
}

void Simulation::equivocate_behind_partition() {
  const PartitionEvent* split = nullptr;
  for (const ScenarioEvent& event : scenario_.events)
    if (const auto* p = std::get_if<PartitionEvent>(&event);
        p && p->at_ms * 1000 <= now_us_ && now_us_ < p->heal_ms * 1000)
      split = p;
  if (!split) return metrics_.failure(now_us_, "no partition to equivocate behind");
  const auto connected = [&](std::uint32_t i) {
    for (auto l : node_links_[i])
      if (links_[l].connected) return true;
    return false;
  };
  // The author (on its side) and the node the censor feeds (on the other) must hold the same
  // head of the author's log, so the two entries claim one seq and both fit where they land.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  for (std::uint32_t m = 0; m < size(); ++m) {
    if (topology_.roles[m] != Role::member || !honest_[m] || blocked_[m] || !connected(m))
      continue;
    const LogHead head = nodes_[m]->store().head(keys_[m]);
    for (std::uint32_t v = 0; v < size(); ++v)
      if (topology_.roles[v] == Role::member && group_[v] != group_[m] && honest_[v] &&
          !blocked_[v] && connected(v) && nodes_[v]->store().head(keys_[m]) == head)
        pairs.emplace_back(m, v);
  }
  if (pairs.empty()) return metrics_.failure(now_us_, "no member could be equivocated for");
  const auto [m, v] = pairs[uniform(rng_, 0, pairs.size() - 1)];
  const PooledEntry* a = pool_.add_signed(sign_next(m, alert_payload("Published, one side", 0)), -1);
  const PooledEntry* b = pool_.add_signed(sign_next(m, alert_payload("Forged, other side", 0)), -1);
  // The author is honest (its key was stolen): it records and spreads the proof like any node.
  metrics_.add_equivocation(keys_[m], m, now_us_, split->heal_ms * 1000);
  // Its log is frozen once the proof spreads: what it published later would count as lost
  // (a new key is the governance issue's; docs/simulator.md).
  forked_.insert(m);
  nodes_[m]->publish(a, now_us_);
  nodes_[v]->publish(b, now_us_);
  for (auto node : {m, v}) {
    flush(node);
    wake(node);
  }
}

// ---- the figures ----

Report Simulation::report() const {
  FinalState s;
  s.roles = topology_.roles;
  s.honest = honest_;
  s.blocked = blocked_;
  s.adjacent.resize(size());
  for (const auto& k : links_) {
    const bool sybil = !nodes_[k.end[0]] || !nodes_[k.end[1]];
    (sybil ? s.sybil_links : s.honest_links) += 1;
    if (!k.connected) continue;
    s.adjacent[k.end[0]].push_back(k.end[1]);
    s.adjacent[k.end[1]].push_back(k.end[0]);
  }
  for (const Bytes& f : forged_) {
    auto fields = decode_trusted_entry(f, EntryLimits{});
    if (!fields) continue;
    const Hash id = entry_id(f);
    for (const auto& n : nodes_)
      if (n)
        if (const PooledEntry* held = n->store().at(fields->author(), fields->seq());
            held && held->entry.id() == id)
          ++s.forged_stored;
  }
  s.real_verifications = pool_.real_verifications();
  s.cached_verdicts = pool_.cached_verdicts();
  s.entry_bytes =
      entry_overhead + alert_payload("Simulated", scenario_.publish.payload_bytes).size();
  s.roster = roster_figure();
  return make_report(scenario_, s, metrics_);
}

}  // namespace ifex::sim
