// The roster scenarios' part of the Simulation (docs/simulator.md, "Roster changes"): the
// genesis, conflicting proposals made at once, approvals and later proposals decided from each
// member's own view, the rule rerun at each node's store poll, and the comparison at the end.
#include <algorithm>

#include "protocol/sim/roster_moves.hpp"
#include "protocol/sim/simulation.hpp"

namespace ifex::sim {

namespace {

// Roster steps (the roster event's side).
constexpr std::uint32_t refresh_step = 0;
constexpr std::uint32_t approve_step = 1;
constexpr std::uint32_t propose_step = 2;
constexpr std::uint32_t conflict_step = 3;

std::optional<std::uint64_t> rank_ms(std::vector<std::uint64_t> us, double q) {
  if (us.empty()) return std::nullopt;
  std::sort(us.begin(), us.end());
  const auto i = static_cast<std::size_t>(q * static_cast<double>(us.size() - 1) + 0.5);
  return us[std::min(i, us.size() - 1)] / 1000;
}

}  // namespace

void Simulation::setup_roster() {
  const RosterSettings& r = scenario_.roster;
  for (std::uint32_t i = 0; i < size(); ++i)
    if (topology_.roles[i] == Role::member) governed_.push_back(i);
  // The genesis names the first members; the last `joiners` are nodes it does not name.
  const std::size_t named = governed_.size() - r.joiners;
  GenesisRoster g{"Simulated federation", r.threshold, {}};
  for (std::size_t k = 0; k < named; ++k)
    g.members.push_back({keys_[governed_[k]], "member " + std::to_string(governed_[k])});
  for (std::size_t k = named; k < governed_.size(); ++k)
    joiner_keys_.push_back(keys_[governed_[k]]);
  const std::uint32_t founder = governed_[0];
  genesis_ = pool_.add_signed(
      sign_next(founder, encode_roster_change(RosterChange{g}), EntryKind::roster), -1);
  for (auto v : governed_)
    nodes_[v] =
        std::make_unique<SimNode>(v, genesis_, keys_[v], scenario_.replicator, pool_, metrics_);
  approved_.resize(size());
  refresh_scheduled_.assign(size(), false);

  // The burst: distinct genesis members propose at once against the genesis, changes that
  // cannot all apply (the same joiner twice, a removal, K, a revocation, another joiner).
  std::vector<std::uint32_t> order(governed_.begin(), governed_.begin() + static_cast<long>(named));
  shuffle(rng_, order);
  const std::size_t proposers = std::min<std::size_t>(r.conflicts, order.size());
  std::size_t next_target = proposers;  // members after the proposers are removed or revoked
  auto target = [&]() { return keys_[order[next_target++ % order.size()]]; };
  for (std::size_t i = 0; i < r.conflicts; ++i) {
    Conflict c;
    c.proposer = order[i % order.size()];
    c.change.genesis = genesis_->entry.id();
    const std::size_t round = i / 6;
    switch (joiner_keys_.empty() && i % 6 <= 2 ? 4 : i % 6) {
      case 0:
      case 1:  // the same joiner, by two proposers: two entries, one slot
        c.change.op = RosterOp::add;
        c.change.member = joiner_keys_[(2 * round) % joiner_keys_.size()];
        break;
      case 2:
        c.change.op = RosterOp::add;
        c.change.member = joiner_keys_[(2 * round + 1) % joiner_keys_.size()];
        break;
      case 3:
        c.change.op = RosterOp::remove_after;
        c.change.member = target();
        break;
      case 4:
        c.change.op = RosterOp::threshold;
        c.change.value = std::min<std::uint64_t>(r.threshold + 1 + round, named);
        break;
      default:
        c.change.op = RosterOp::revoke;
        c.change.member = target();
        break;
    }
    if (c.change.op == RosterOp::add)
      c.change.name = "joiner " + c.change.member.hex().substr(0, 8);
    conflicts_.push_back(c);
    schedule(r.start_ms * 1000 + uniform(rng_, 0, 500'000), EventKind::roster,
             static_cast<std::uint32_t>(i), conflict_step);
  }
  const std::uint64_t end_us = (r.start_ms + r.window_ms) * 1000;
  if (r.proposals > 0) {
    const double gap_us =
        static_cast<double>(r.window_ms) * 1000 / static_cast<double>(r.proposals);
    for (std::uint64_t t =
             r.start_ms * 1000 + static_cast<std::uint64_t>(exponential(rng_, gap_us));
         t < end_us; t += static_cast<std::uint64_t>(exponential(rng_, gap_us)) + 1)
      schedule(t, EventKind::roster, 0, propose_step);
  }
  for (auto v : governed_)
    schedule(r.start_ms * 1000 +
                 static_cast<std::uint64_t>(exponential(rng_, r.approve_interval_ms * 1000)),
             EventKind::roster, v, approve_step);
}

void Simulation::roster_step(std::uint32_t target, std::uint32_t step) {
  const RosterSettings& r = scenario_.roster;
  const std::uint64_t end_us = (r.start_ms + r.window_ms) * 1000;
  switch (step) {
    case refresh_step:
      refresh_scheduled_[target] = false;
      return refresh_now(target);
    case conflict_step:
      return propose_conflict(target);
    case propose_step:
      return propose_later();
    case approve_step:
      approve(target);
      if (const auto next =
              now_us_ +
              static_cast<std::uint64_t>(exponential(rng_, r.approve_interval_ms * 1000)) + 1;
          next < end_us)
        schedule(next, EventKind::roster, target, approve_step);
      return;
  }
}

void Simulation::roster_stored(std::uint32_t v) {
  const RosterView* view = nodes_[v]->roster_view();
  if (!view || !view->dirty() || refresh_scheduled_[v]) return;
  refresh_scheduled_[v] = true;
  schedule(now_us_ + scenario_.roster.refresh_ms * 1000, EventKind::roster, v, refresh_step);
}

void Simulation::refresh_now(std::uint32_t v) {
  nodes_[v]->refresh_roster(now_us_);
  flush(v);
  wake(v);
}

void Simulation::sign_roster(std::uint32_t v, const RosterChange& change) {
  const PooledEntry* e =
      pool_.add_signed(sign_next(v, encode_roster_change(change), EntryKind::roster), -1);
  nodes_[v]->publish(e, now_us_);
  last_signed_us_ = now_us_;
  roster_stored(v);
  flush(v);
  wake(v);
}

void Simulation::propose_conflict(std::uint32_t index) {
  Conflict& c = conflicts_[index];
  const std::uint32_t v = c.proposer;
  // A command reads the store: the view is what the node holds now.
  refresh_now(v);
  const FederationState& view = nodes_[v]->roster_view()->state();
  if (!view.members.contains(keys_[v])) return;
  c.change.base = view.applied.size();
  if (c.change.op == RosterOp::revoke || c.change.op == RosterOp::remove_after)
    c.change.value = nodes_[v]->store().head(c.change.member).seq;
  ++proposals_signed_;
  sign_roster(v, RosterChange{c.change});
}

void Simulation::propose_later() {
  // A member in its own view, at random.
  std::vector<std::uint32_t> members;
  for (auto v : governed_) {
    refresh_now(v);
    if (nodes_[v]->roster_view()->is_member(keys_[v])) members.push_back(v);
  }
  if (members.empty()) return;
  const std::uint32_t v = members[uniform(rng_, 0, members.size() - 1)];
  const SimNode& node = *nodes_[v];
  auto change = choose_change(
      node.roster_view()->state(), keys_[v], joiner_keys_,
      [&](const PublicKey& k) { return node.store().head(k).seq; }, rng_);
  if (!change) return;
  ++proposals_signed_;
  sign_roster(v, RosterChange{*change});
}

void Simulation::approve(std::uint32_t v) {
  refresh_now(v);
  const RosterView& view = *nodes_[v]->roster_view();
  if (!view.is_member(keys_[v])) return;
  auto chosen = choose_approval(view.state(), keys_[v], approved_[v], rng_);
  if (!chosen) return;
  approved_[v].insert(*chosen);
  ++approvals_signed_;
  sign_roster(v, RosterChange{RosterApproval{genesis_->entry.id(), *chosen}});
}

RosterFigure Simulation::roster_figure() const {
  RosterFigure f;
  if (!scenario_.roster.enabled || governed_.empty()) return f;
  f.enabled = true;
  f.nodes = governed_.size();
  f.genesis_members = governed_.size() - joiner_keys_.size();
  f.genesis_threshold = scenario_.roster.threshold;
  f.conflicts = conflicts_.size();
  f.proposals = proposals_signed_;
  f.approvals = approvals_signed_;
  if (last_signed_us_) f.last_signed_ms = *last_signed_us_ / 1000;

  const RosterView& first = *nodes_[governed_[0]]->roster_view();
  const FederationState& s = first.state();
  f.applied = s.applied.size();
  for (const auto& d : s.pending) (d.stale ? f.stale : f.pending) += 1;
  f.members = s.members.size();
  f.threshold = s.threshold;
  f.revoked = s.ended_after.size() - s.removed_keys.size();

  // Contested slots: replay K along the applied history.
  std::uint64_t k = scenario_.roster.threshold;
  for (std::size_t n = 0; n < s.applied.size(); ++n) {
    const RosterDecision& d = s.applied[n];
    bool rival = false;
    for (const auto& p : s.pending)
      if (p.change.op != RosterOp::revoke && p.change.base == n &&
          p.approvers.size() + p.other_signers >= k)
        rival = true;
    f.contested_slots += rival;
    if (d.change.op == RosterOp::threshold) k = d.change.value;
  }

  // Accepted authors by the first node's result (every node's, when they agree).
  const auto accepted = [&](const SignedEntry& e) {
    if (s.members.contains(e.author())) return true;
    const auto it = s.ended_after.find(e.author());
    return it != s.ended_after.end() && e.seq() <= last_carried_seq(it->second);
  };
  const auto split = [&](const RosterView& view) {
    std::pair<std::set<Hash>, std::set<Hash>> ids;
    for (const auto& e : view.held()) (accepted(e) ? ids.first : ids.second).insert(e.id());
    return ids;
  };
  const auto reference = split(first);
  std::vector<std::uint64_t> converge_us;
  std::set<Hash> undone;
  for (auto v : governed_) {
    const RosterView& view = *nodes_[v]->roster_view();
    const auto ids = split(view);
    f.held_mismatch += ids.first != reference.first;
    f.other_mismatch += ids.second != reference.second;
    f.state_mismatch += view.digest() != first.digest();
    for (std::size_t p = 0; p < std::size(state_parts); ++p)
      f.part_mismatch[p] +=
          federation_digest(view.state(), state_parts[p]) != federation_digest(s, state_parts[p]);
    undone.insert(view.ever_applied().begin(), view.ever_applied().end());
    f.rewrites += view.rewrites();
    f.rewrites_by_revocation += view.rewrites_by_revocation();
    f.nodes_rewritten += view.rewrites() > 0;
    if (last_signed_us_)
      converge_us.push_back(
          view.last_change_us() > *last_signed_us_ ? view.last_change_us() - *last_signed_us_ : 0);
  }
  for (const auto& d : s.applied) undone.erase(d.proposal);
  f.undone = undone.size();
  f.converge_median_ms = rank_ms(converge_us, 0.5);
  f.converge_p99_ms = rank_ms(converge_us, 0.99);
  f.converge_max_ms = rank_ms(converge_us, 1.0);
  return f;
}

}  // namespace ifex::sim
