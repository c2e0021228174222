#include "protocol/federation_roster.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <variant>

namespace ifex {

namespace {

struct Signature {
  PublicKey author;
  std::uint64_t seq;
};

struct Proposal {
  Hash id;
  PublicKey proposer;
  RosterProposal change;
  std::vector<Signature> signatures;  // the proposer's own, then approvals
  std::uint64_t proposed_ms = 0;
};

// Whether a signature counts now: a current member's. (A revoked key is no member: a
// revocation removes it, and a revoked key is never added again.)
bool counts(const FederationState& s, const Signature& sig) {
  return s.members.contains(sig.author);
}

bool fits(const FederationState& s, const RosterProposal& p) {
  const bool member = s.members.contains(p.member);
  switch (p.op) {
    case RosterOp::add:
      // An ended log cannot go on (its later entries are void everywhere): a revoked key was
      // compromised, a removed one left; either comes back only under a new key.
      return !member && !s.ended_after.contains(p.member);
    case RosterOp::remove:
    case RosterOp::remove_after:
      return member && s.members.size() - 1 >= s.threshold;
    case RosterOp::threshold:
      return p.value != s.threshold && p.value >= 1 && p.value <= s.members.size();
    case RosterOp::revoke:
      return !s.ended_after.contains(p.member) &&
             (!member || s.members.size() - 1 >= s.threshold);
    case RosterOp::rotate:
      // The new key is fresh: no member (one organisation per key) and never revoked.
      return member && !s.members.contains(p.successor) && !s.ended_after.contains(p.successor);
  }
  return false;
}

// Revocations and rotations both end a key: they take a slot from their base on, first.
bool ends_a_key(const RosterProposal& p) {
  return p.op == RosterOp::revoke || p.op == RosterOp::rotate;
}

RosterDecision decide(const FederationState& s, const Proposal& p) {
  RosterDecision d{p.id, p.proposer, p.change, {}, 0, fits(s, p.change), false, p.proposed_ms};
  std::set<PublicKey> approvers, others;
  for (const Signature& sig : p.signatures)
    (counts(s, sig) ? approvers : others).insert(sig.author);
  for (const auto& a : approvers) others.erase(a);
  d.approvers.assign(approvers.begin(), approvers.end());
  d.other_signers = others.size();
  return d;
}

void apply(FederationState& s, const RosterDecision& d) {
  const RosterProposal& p = d.change;
  const std::uint64_t number = s.applied.size() + 1;
  switch (p.op) {
    case RosterOp::add:
      s.members[p.member] = {p.name, number, {}, d.proposed_ms};
      break;
    case RosterOp::remove:
      s.former_names[p.member] = s.members[p.member].name;
      s.members.erase(p.member);
      break;
    case RosterOp::remove_after:
      s.former_names[p.member] = s.members[p.member].name;
      s.members.erase(p.member);
      s.ended_after[p.member] = p.value;
      s.removed_keys.insert(p.member);
      break;
    case RosterOp::threshold:
      s.threshold = p.value;
      break;
    case RosterOp::revoke:
      if (auto it = s.members.find(p.member); it != s.members.end()) {
        s.former_names[p.member] = it->second.name;
        s.members.erase(it);
      }
      s.ended_after[p.member] = p.value;
      break;
    case RosterOp::rotate: {
      auto node = s.members.extract(p.member);
      node.key() = p.successor;
      node.mapped().earlier_keys.push_back(p.member);
      s.members.insert(std::move(node));
      s.ended_after[p.member] = p.value;
      s.rotated_to[p.member] = p.successor;
      break;
    }
  }
  s.applied.push_back(d);
}

// The roster entries held, decoded once: every round of the rule reads them again.
struct HeldChanges {
  struct Item {
    PublicKey author;
    std::uint64_t seq;
    std::uint64_t created_ms;
    Hash id;
    std::variant<RosterProposal, Hash> change;  // a proposal, or the proposal an approval names
  };
  std::vector<Item> items;
  std::size_t ignored = 0;
};

HeldChanges decode_held(const Hash& genesis, std::span<const SignedEntry> entries) {
  HeldChanges held;
  std::set<Hash> seen;
  for (const SignedEntry& e : entries) {
    if (e.kind() != EntryKind::roster || e.id() == genesis || !seen.insert(e.id()).second)
      continue;
    auto change = decode_roster_change(e.payload());
    if (!change) {
      ++held.ignored;
      continue;
    }
    if (const auto* p = std::get_if<RosterProposal>(&*change); p && p->genesis == genesis)
      held.items.push_back({e.author(), e.seq(), e.created_ms(), e.id(), *p});
    else if (const auto* a = std::get_if<RosterApproval>(&*change); a && a->genesis == genesis)
      held.items.push_back({e.author(), e.seq(), e.created_ms(), e.id(), a->proposal});
    else
      ++held.ignored;  // another federation's, or a second genesis
  }
  return held;
}

using LogEnds = std::map<PublicKey, std::uint64_t>;

// Beyond the margin of an ended log: nodes refuse it, so the rule must not read it.
bool beyond_carried(const LogEnds& ends, const PublicKey& author, std::uint64_t seq,
                    std::uint64_t margin) {
  const auto it = ends.find(author);
  return it != ends.end() && seq > last_carried_seq(it->second, margin);
}

// One run of the rule over the held entries, leaving out those beyond `ends`' margins.
FederationState run_rule(const FederationState& founded, const HeldChanges& held,
                         const LogEnds& ends, std::uint64_t margin) {
  FederationState s = founded;
  s.ignored_entries = held.ignored;
  std::map<Hash, Proposal> proposals;
  std::map<Hash, std::set<std::pair<PublicKey, std::uint64_t>>> approvals;
  for (const auto& item : held.items) {
    if (beyond_carried(ends, item.author, item.seq, margin)) {
      ++s.entries_beyond_margin;
      continue;
    }
    if (const auto* p = std::get_if<RosterProposal>(&item.change))
      proposals[item.id] =
          Proposal{item.id, item.author, *p, {{item.author, item.seq}}, item.created_ms};
    else
      approvals[std::get<Hash>(item.change)].emplace(item.author, item.seq);
  }
  for (auto& [id, p] : proposals)
    if (auto it = approvals.find(id); it != approvals.end())
      for (const auto& [author, seq] : it->second) p.signatures.push_back({author, seq});

  // Slot by slot. A revocation may take any slot from the one it was made for on (base), ahead
  // of the other changes: a stolen key stops counting at the first slot where K members agree,
  // however many changes were proposed meanwhile. Never a slot below its base: that would
  // rewrite changes the members saw in effect when they proposed it (found by the independent
  // reference, tests/vectors/reference_roster.py: a late approval moved a revocation to slot 0
  // and undid four changes). Other changes only in the slot they were made for: the lowest id
  // among the qualifying.
  std::set<Hash> done;
  for (;;) {
    const std::uint64_t slot = s.applied.size();
    std::optional<RosterDecision> next;
    for (const bool revocations : {true, false}) {
      for (const auto& [id, p] : proposals) {
        const bool revoke = ends_a_key(p.change);
        if (done.contains(id) || revoke != revocations ||
            (revoke ? p.change.base > slot : p.change.base != slot))
          continue;
        RosterDecision d = decide(s, p);
        if (d.fits && d.approvers.size() >= s.threshold) {
          next = std::move(d);
          break;  // proposals is ordered by id
        }
      }
      if (next) break;
    }
    if (!next) break;
    done.insert(next->proposal);
    apply(s, *next);
  }
  for (const auto& [id, p] : proposals) {
    if (done.contains(id)) continue;
    RosterDecision d = decide(s, p);
    d.stale = !ends_a_key(p.change) && p.change.base < s.applied.size();
    s.pending.push_back(std::move(d));
  }
  return s;
}

// The ends the held proposals name: per key, the lowest after_seq of a revoke, rotate or
// remove_after proposal, counting only proposals not themselves beyond the margin of those
// ends (computed from all of them, then again without the ones that left out). Round 1 starts
// from these, so that it leaves out every entry any node may have refused: a node refuses only
// beyond the margin of an end it computed, and every computed end was proposed.
LogEnds proposed_ends(const HeldChanges& held, std::uint64_t margin) {
  const auto lowest = [&](const LogEnds* drop_beyond) {
    LogEnds ends;
    for (const auto& item : held.items) {
      const auto* p = std::get_if<RosterProposal>(&item.change);
      if (!p || (p->op != RosterOp::revoke && p->op != RosterOp::rotate &&
                 p->op != RosterOp::remove_after))
        continue;
      if (drop_beyond && beyond_carried(*drop_beyond, item.author, item.seq, margin)) continue;
      if (auto [at, fresh] = ends.emplace(p->member, p->value); !fresh)
        at->second = std::min(at->second, p->value);
    }
    return ends;
  };
  const LogEnds all = lowest(nullptr);
  return lowest(&all);
}

// Bounds the rounds of the fixed point; each round that does not settle found a new set of
// ends, and only an adversarial set of void entries makes more than two.
constexpr std::size_t max_rule_rounds = 64;

}  // namespace

Result<FederationState> compute_federation(const SignedEntry& genesis,
                                           std::span<const SignedEntry> entries,
                                           std::uint64_t margin) {
  if (genesis.kind() != EntryKind::roster)
    return make_error("bad_genesis", "the genesis is not a roster entry");
  auto founding = decode_roster_change(genesis.payload());
  if (!founding) return make_error("bad_genesis", "the genesis: " + founding.error().message);
  const auto* g = std::get_if<GenesisRoster>(&*founding);
  if (!g) return make_error("bad_genesis", "the genesis entry holds no genesis roster");

  FederationState founded;
  founded.genesis = genesis.id();
  founded.founder = genesis.author();
  founded.name = g->federation_name;
  founded.threshold = g->threshold;
  for (const auto& m : g->members) founded.members[m.key] = {m.name, 0, {}, genesis.created_ms()};
  if (!founded.members.contains(founded.founder))
    return make_error("bad_genesis", "the genesis's author is not one of its members");

  // The fixed point: round 1 leaves out what lies beyond the margins of the proposed ends;
  // each next round, what lies beyond the margins of the ends the last one found; until a
  // round finds the ends it was given. Round 1 so reads the same entries at every node that
  // holds the same proposals, whatever each refused, and the rounds after it follow.
  const HeldChanges held = decode_held(founded.genesis, entries);
  std::vector<LogEnds> tried;
  LogEnds ends = proposed_ends(held, margin);
  for (;;) {
    FederationState s = run_rule(founded, held, ends, margin);
    s.rounds = tried.size() + 1;
    if (s.ended_after == ends) return s;
    tried.push_back(ends);
    const bool cycle = std::find(tried.begin(), tried.end(), s.ended_after) != tried.end();
    if (cycle || tried.size() >= max_rule_rounds) {
      // No fixed point on this path: leave out what lies beyond any end of the cycle (the
      // earliest end per key), once more, and say so.
      LogEnds all;
      const auto first = cycle ? std::find(tried.begin(), tried.end(), s.ended_after)
                               : tried.begin();
      for (auto it = first; it != tried.end(); ++it)
        for (const auto& [key, seq] : *it)
          if (auto [at, fresh] = all.emplace(key, seq); !fresh) at->second = std::min(at->second, seq);
      FederationState last = run_rule(founded, held, all, margin);
      last.rounds = tried.size() + 1;
      last.settled = false;
      return last;
    }
    ends = s.ended_after;
  }
}

}  // namespace ifex
