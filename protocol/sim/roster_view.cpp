#include "protocol/sim/roster_view.hpp"

#include <algorithm>
#include <optional>

namespace ifex::sim {

namespace {

void put(std::string& out, ByteView bytes) {
  out.append(bytes.begin(), bytes.end());
}

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

void put_signatures(std::string& out, const RosterDecision& d) {
  put_u64(out, d.approvers.size());
  for (const auto& a : d.approvers) put(out, a.view());
  put_u64(out, d.other_signers);
}

// The first slot where history `b` does not continue `a`, or nullopt when it does.
std::optional<std::size_t> first_rewritten(const std::vector<RosterDecision>& a,
                                           const std::vector<RosterDecision>& b) {
  for (std::size_t n = 0; n < a.size(); ++n)
    if (n >= b.size() || a[n].proposal != b[n].proposal) return n;
  return std::nullopt;
}

}  // namespace

std::string federation_digest(const FederationState& s, StatePart part) {
  std::string out;
  switch (part) {
    case StatePart::roster:
      put_u64(out, s.threshold);
      put_u64(out, s.members.size());
      for (const auto& [key, m] : s.members) {
        put(out, key.view());
        put_u64(out, m.since_change);
        put_u64(out, m.name.size());
        out += m.name;
      }
      put_u64(out, s.ended_after.size());
      for (const auto& [key, seq] : s.ended_after) {
        put(out, key.view());
        put_u64(out, seq);
      }
      break;
    case StatePart::history:
      put_u64(out, s.applied.size());
      for (const auto& d : s.applied) put(out, d.proposal.view());
      break;
    case StatePart::pending:
      put_u64(out, s.pending.size());
      for (const auto& d : s.pending) {
        put(out, d.proposal.view());
        out.push_back(static_cast<char>(d.fits));
        out.push_back(static_cast<char>(d.stale));
      }
      put_u64(out, s.ignored_entries);
      break;
    case StatePart::signatures:
      for (const auto& d : s.applied) put_signatures(out, d);
      for (const auto& d : s.pending) put_signatures(out, d);
      break;
  }
  return out;
}

std::string federation_digest(const FederationState& s) {
  std::string out;
  for (const StatePart part : state_parts) {
    const std::string bytes = federation_digest(s, part);
    put_u64(out, bytes.size());
    out += bytes;
  }
  return out;
}

RosterView::RosterView(const SignedEntry& genesis, const PublicKey& own)
    : genesis_(genesis), own_(own) {
  add(genesis, 0);
  refresh(0);
}

void RosterView::add(const SignedEntry& entry, std::uint64_t now_us) {
  if (!held_ids_.insert(entry.id()).second) return;
  held_.push_back(entry);
  dirty_ = true;
  last_arrival_us_ = now_us;
}

bool RosterView::refresh(std::uint64_t now_us) {
  if (!dirty_) return false;
  dirty_ = false;
  auto computed = compute_federation(genesis_, held_);
  // The genesis is the simulation's own and valid: the rule cannot refuse it.
  if (!computed) return false;
  const bool accepts_changed =
      computed->members.size() != state_.members.size() ||
      computed->ended_after != state_.ended_after ||
      !std::equal(computed->members.begin(), computed->members.end(), state_.members.begin(),
                  [](const auto& a, const auto& b) { return a.first == b.first; });
  if (const auto n = first_rewritten(state_.applied, computed->applied)) {
    ++rewrites_;
    if (*n < computed->applied.size() && computed->applied[*n].change.op == RosterOp::revoke)
      ++rewrites_by_revocation_;
  }
  std::string digest = federation_digest(*computed);
  if (digest != digest_) last_change_us_ = now_us;
  digest_ = std::move(digest);
  state_ = std::move(*computed);
  for (const auto& d : state_.applied) ever_applied_.insert(d.proposal);
  return accepts_changed;
}

bool RosterView::accepts_entry(const PublicKey& author, std::uint64_t seq) const {
  if (author == own_ || state_.members.contains(author)) return true;
  const auto it = state_.ended_after.find(author);
  return it != state_.ended_after.end() && seq <= last_carried_seq(it->second);
}

bool RosterView::wants_log(const PublicKey& author, std::uint64_t head_seq) const {
  if (const auto it = state_.ended_after.find(author); it != state_.ended_after.end())
    return head_seq < last_carried_seq(it->second);
  return author == own_ || state_.members.contains(author);
}

std::set<PublicKey> RosterView::named_authors() const {
  std::set<PublicKey> named{own_};
  for (const auto& [key, m] : state_.members) named.insert(key);
  return named;
}

}  // namespace ifex::sim
