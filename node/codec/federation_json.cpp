#include "node/codec/federation_json.hpp"

#include <boost/json/array.hpp>

#include "keys/key_text.hpp"
#include "node/codec/entry_json.hpp"

namespace ifex {

namespace json = boost::json;

namespace {

json::object member_ref(const PublicKey& key, const FederationState& s) {
  json::object out{{"key", public_key_to_text(key)}, {"fingerprint", fingerprint(key)}};
  if (auto m = s.members.find(key); m != s.members.end()) out["name"] = m->second.name;
  return out;
}

json::object decision_json(const RosterDecision& d, const FederationState& s) {
  json::array approvers;
  for (const auto& k : d.approvers) approvers.push_back(member_ref(k, s));
  json::object out{{"id", d.proposal.hex()},
                   {"op", std::string(roster_op_name(d.change.op))},
                   {"base", d.change.base},
                   {"proposer", public_key_to_text(d.proposer)},
                   {"proposed_at", iso8601_utc(d.proposed_ms)},
                   {"approvers", std::move(approvers)},
                   {"other_signers", d.other_signers}};
  if (d.change.op != RosterOp::threshold) out["member"] = public_key_to_text(d.change.member);
  if (d.change.op == RosterOp::add) out["name"] = d.change.name;
  if (d.change.op == RosterOp::threshold) out["threshold"] = d.change.value;
  if (d.change.op == RosterOp::revoke || d.change.op == RosterOp::rotate ||
      d.change.op == RosterOp::remove_after)
    out["after_seq"] = d.change.value;
  if (d.change.op == RosterOp::rotate) out["new_key"] = public_key_to_text(d.change.successor);
  return out;
}

}  // namespace

json::object federation_json(const FederationState& s) {
  json::array members;
  for (const auto& [k, m] : s.members) {
    json::array earlier;
    for (const auto& old : m.earlier_keys)
      earlier.push_back(json::object{{"key", public_key_to_text(old)},
                                     {"fingerprint", fingerprint(old)},
                                     {"after_seq", s.ended_after.at(old)}});
    members.push_back(json::object{{"key", public_key_to_text(k)},
                                   {"fingerprint", fingerprint(k)},
                                   {"name", m.name},
                                   {"since_change", m.since_change},
                                   {"since", iso8601_utc(m.since_ms)},
                                   {"earlier_keys", std::move(earlier)}});
  }
  json::array applied, pending, revoked;
  for (const auto& d : s.applied) applied.push_back(decision_json(d, s));
  for (const auto& d : s.pending) {
    json::object p = decision_json(d, s);
    p["applies_now"] = d.fits && !d.stale;
    p["stale"] = d.stale;
    pending.push_back(std::move(p));
  }
  // Revoked: the keys whose log ended for compromise or rotation; a removed member's end is
  // on its former_members line.
  for (const auto& [k, seq] : s.ended_after)
    if (!s.removed_keys.contains(k))
      revoked.push_back(json::object{{"key", public_key_to_text(k)}, {"after_seq", seq}});
  json::array former;
  for (const auto& [k, name] : s.former_names) {
    json::object f{{"key", public_key_to_text(k)}, {"fingerprint", fingerprint(k)}, {"name", name}};
    if (auto end = s.ended_after.find(k); end != s.ended_after.end()) f["after_seq"] = end->second;
    former.push_back(std::move(f));
  }
  return json::object{{"genesis", s.genesis.hex()},
                      {"founder", public_key_to_text(s.founder)},
                      {"name", s.name},
                      {"threshold", s.threshold},
                      {"members", std::move(members)},
                      {"revoked", std::move(revoked)},
                      {"former_members", std::move(former)},
                      {"applied", std::move(applied)},
                      {"pending", std::move(pending)},
                      {"ignored_entries", s.ignored_entries},
                      {"entries_beyond_margin", s.entries_beyond_margin},
                      {"rule_rounds", s.rounds},
                      {"settled", s.settled}};
}

}  // namespace ifex
