// The roster payloads, the invitation and the roster rule (issue 13): the rule reads a set, so
// any order of the same entries gives the same roster; K current members decide, nobody else.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "protocol/federation_roster.hpp"
#include "protocol/invitation.hpp"
#include "protocol/roster_change.hpp"
#include "tests/protocol/protocol_fixtures.hpp"

using namespace ifex;
using namespace ifex::test;

namespace {

// Members' logs: each signs its roster entries in its own chain.
struct Federation {
  std::vector<Identity> ids;
  std::map<PublicKey, std::pair<std::uint64_t, Hash>> heads;
  std::vector<SignedEntry> entries;
  std::optional<SignedEntry> genesis;

  explicit Federation(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) ids.push_back(seeded_identity(static_cast<std::uint8_t>(90 + i)));
  }
  PublicKey key(std::size_t i) const { return ids[i].public_key(); }
  SignedEntry sign(std::size_t who, const RosterChange& change) {
    auto& [seq, prev] = heads[key(who)];
    SignedEntry e = make_entry(ids[who], ++seq, prev, encode_roster_change(change), EntryKind::roster);
    prev = e.id();
    entries.push_back(e);
    return e;
  }
  void found(std::size_t members, std::uint64_t k) {
    GenesisRoster g{"IFEX", k, {}};
    for (std::size_t i = 0; i < members; ++i) g.members.push_back({key(i), "ngo " + std::to_string(i)});
    genesis = sign(0, g);
  }
  Hash propose(std::size_t who, RosterOp op, std::size_t member, std::uint64_t value = 0) {
    RosterProposal p{genesis->id(), state().applied.size(), op, key(member),
                     "ngo " + std::to_string(member), value, {}};
    if (op == RosterOp::threshold) p.member = PublicKey{};
    return sign(who, p).id();
  }
  void approve(std::size_t who, const Hash& proposal) {
    sign(who, RosterApproval{genesis->id(), proposal});
  }
  FederationState state() const {
    auto s = compute_federation(*genesis, entries);
    REQUIRE(s);
    return *s;
  }
  bool member(std::size_t i) const { return state().members.contains(key(i)); }
};

}  // namespace

TEST_CASE("roster payloads round-trip in canonical form only", "[federation]") {
  Federation f(3);
  GenesisRoster g{"IFEX", 2, {{f.key(2), "c"}, {f.key(0), "a"}, {f.key(1), "b"}}};
  Bytes encoded = encode_roster_change(g);
  auto back = decode_roster_change(encoded);
  REQUIRE(back);
  const auto& sorted = std::get<GenesisRoster>(*back);
  CHECK(std::is_sorted(sorted.members.begin(), sorted.members.end(),
                       [](const auto& a, const auto& b) { return a.key < b.key; }));
  CHECK(encode_roster_change(*back) == encoded);
  Bytes trailing = encoded;
  trailing.push_back(0);
  CHECK_FALSE(decode_roster_change(trailing));
  for (std::size_t cut = 0; cut < encoded.size(); ++cut)
    CHECK_FALSE(decode_roster_change(ByteView(encoded.data(), cut)));

  RosterProposal add{Hash{}, 0, RosterOp::add, f.key(1), "new", 0, {}};
  RosterProposal revoke{Hash{}, 7, RosterOp::revoke, f.key(1), "", 41, {}};
  RosterProposal threshold{Hash{}, 2, RosterOp::threshold, PublicKey{}, "", 3, {}};
  RosterApproval approval{Hash{}, Hash{}};
  for (const RosterChange& c : {RosterChange(add), RosterChange(revoke), RosterChange(threshold),
                                RosterChange(approval)}) {
    auto d = decode_roster_change(encode_roster_change(c));
    REQUIRE(d);
    CHECK(*d == c);
  }

  GenesisRoster zero_k{"IFEX", 0, {{f.key(0), "a"}}};
  GenesisRoster big_k{"IFEX", 2, {{f.key(0), "a"}}};
  GenesisRoster twice{"IFEX", 1, {{f.key(0), "a"}, {f.key(0), "b"}}};
  GenesisRoster control{"IFEX", 1, {{f.key(0), "a\x1b[2J"}}};
  for (const auto& bad : {zero_k, big_k, twice, control})
    CHECK_FALSE(decode_roster_change(encode_roster_change(bad)));
}

TEST_CASE("a change takes effect with K approvals of current members, not K-1", "[federation]") {
  Federation f(7);  // 0-4 found it with K = 3; 5 is the newcomer; 6 an outsider
  f.found(5, 3);
  CHECK(f.state().members.size() == 5);
  Hash add = f.propose(0, RosterOp::add, 5);  // the proposer's own approval counts
  f.approve(1, add);
  f.approve(6, add);  // not a member: ignored, and counted as such
  f.approve(1, add);  // twice: once
  auto before = f.state();
  CHECK_FALSE(before.members.contains(f.key(5)));
  REQUIRE(before.pending.size() == 1);
  CHECK(before.pending[0].approvers.size() == 2);
  CHECK(before.pending[0].other_signers == 1);
  f.approve(2, add);
  auto after = f.state();
  CHECK(after.members.contains(f.key(5)));
  CHECK(after.members.at(f.key(5)).since_change == 1);
  CHECK(after.pending.empty());
  REQUIRE(after.applied.size() == 1);
  CHECK(after.applied[0].approvers.size() == 3);
}

TEST_CASE("the same entries in any order give the same roster", "[federation]") {
  Federation f(8);
  f.found(5, 3);
  // Concurrent, conflicting changes made against the genesis: add 5, add 6, remove 1, K = 4.
  Hash add5 = f.propose(0, RosterOp::add, 5);
  Hash add6 = f.propose(3, RosterOp::add, 6);
  Hash rm1 = f.propose(2, RosterOp::remove, 1);
  Hash k4 = f.propose(4, RosterOp::threshold, 0, 4);
  for (std::size_t who : {1u, 2u}) f.approve(who, add5);
  for (std::size_t who : {1u, 4u}) f.approve(who, add6);  // 1 may be removed first
  for (std::size_t who : {3u, 4u}) f.approve(who, rm1);
  for (std::size_t who : {0u, 1u}) f.approve(who, k4);
  // Made after one of them took effect: it fits whichever did, and takes the next slot.
  Hash k2 = f.propose(4, RosterOp::threshold, 0, 2);
  for (std::size_t who : {0u, 1u, 2u, 3u}) f.approve(who, k2);

  const FederationState reference = f.state();
  std::mt19937 rng(13);
  for (int round = 0; round < 200; ++round) {
    std::vector<SignedEntry> shuffled = f.entries;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    if (round % 3 == 0) shuffled.insert(shuffled.end(), f.entries.begin(), f.entries.begin() + 4);
    auto s = compute_federation(*f.genesis, shuffled);
    REQUIRE(s);
    CHECK(s->members.size() == reference.members.size());
    for (const auto& [k, m] : reference.members) CHECK(s->members.contains(k));
    CHECK(s->threshold == reference.threshold);
    REQUIRE(s->applied.size() == reference.applied.size());
    for (std::size_t i = 0; i < s->applied.size(); ++i)
      CHECK(s->applied[i].proposal == reference.applied[i].proposal);
  }
  // One of the four made against the genesis took slot 1, the other three are stale; K = 2,
  // made after, took slot 2.
  REQUIRE(reference.applied.size() == 2);
  CHECK(reference.applied[1].proposal == k2);
  CHECK(reference.threshold == 2);
  std::size_t stale = 0;
  for (const auto& d : reference.pending) stale += d.stale;
  CHECK(stale == 3);
  for (const Hash& h : {add5, add6, rm1, k4})
    CHECK((reference.applied[0].proposal == h) != std::any_of(reference.pending.begin(),
                                                              reference.pending.end(),
                                                              [&](const auto& d) { return d.proposal == h; }));
}

TEST_CASE("a change in effect stays in effect whatever arrives later", "[federation]") {
  // Found by governance_federation_test: with changes ordered by id alone, two later conflicting
  // proposals could reorder history so that a member removed long before came back.
  Federation f(7);
  f.found(5, 3);
  Hash add5 = f.propose(0, RosterOp::add, 5);
  f.approve(1, add5);
  f.approve(2, add5);
  Hash rm4 = f.propose(0, RosterOp::remove, 4);
  f.approve(1, rm4);
  f.approve(2, rm4);
  auto before = f.state();
  REQUIRE(before.applied.size() == 2);
  Hash rm3 = f.propose(1, RosterOp::remove, 3);
  Hash k5 = f.propose(2, RosterOp::threshold, 0, 5);
  for (std::size_t who : {0u, 2u}) f.approve(who, rm3);
  for (std::size_t who : {0u, 5u}) f.approve(who, k5);
  auto after = f.state();
  REQUIRE(after.applied.size() == 3);
  CHECK(after.applied[0].proposal == before.applied[0].proposal);
  CHECK(after.applied[1].proposal == before.applied[1].proposal);
  CHECK_FALSE(after.members.contains(f.key(4)));
  CHECK((after.applied[2].proposal == rm3 || after.applied[2].proposal == k5));
  REQUIRE(after.pending.size() == 1);
  CHECK(after.pending[0].stale);
}

TEST_CASE("a revoked key's later signatures count for nothing", "[federation]") {
  Federation f(6);
  f.found(4, 2);
  // Member 3's key is stolen after its seq 0 (it signed nothing yet): revoke it after 0.
  Hash revoke = f.propose(0, RosterOp::revoke, 3, 0);
  f.approve(1, revoke);
  auto s = f.state();
  CHECK_FALSE(s.members.contains(f.key(3)));
  CHECK(s.ended_after.at(f.key(3)) == 0);
  // The thief proposes adding itself-as-5 and approves: with 1 honest approval, nothing.
  Hash add = f.propose(3, RosterOp::add, 5);
  f.approve(2, add);
  CHECK_FALSE(f.member(5));
  // A revoked key never comes back.
  Hash back = f.propose(0, RosterOp::add, 3);
  f.approve(1, back);
  CHECK_FALSE(f.member(3));
}

TEST_CASE("a removal ends the member's log after a seq, and the key never comes back",
          "[federation]") {
  Federation f(5);
  f.found(4, 2);
  f.approve(3, f.genesis->id());  // member 3 signs something: its seq 1
  Hash rm = f.propose(0, RosterOp::remove_after, 3, 1);
  f.approve(1, rm);
  auto s = f.state();
  CHECK_FALSE(s.members.contains(f.key(3)));
  CHECK(s.ended_after.at(f.key(3)) == 1);
  CHECK(s.removed_keys.contains(f.key(3)));
  CHECK(s.former_names.at(f.key(3)) == "ngo 3");
  // Its log cannot go on: the key is not added again (the organisation returns under a new one).
  Hash back = f.propose(0, RosterOp::add, 3);
  f.approve(1, back);
  CHECK_FALSE(f.member(3));
  // A removal that would leave fewer members than K does not apply, as remove.
  Federation g(3);
  g.found(3, 3);
  Hash too_many = g.propose(0, RosterOp::remove_after, 2, 0);
  g.approve(1, too_many);
  g.approve(2, too_many);
  CHECK(g.state().members.size() == 3);
}

TEST_CASE("entries beyond an ended log's margin change nothing, held or not", "[federation]") {
  // Member 3's key is stolen. The thief's approval of a revocation of member 2 is beyond the
  // margin (1 here, to need few entries) of the end the federation gives 3's log. A node that
  // got it before it knew of the end holds it; one that got the end first refused it. Both
  // must compute the same roster: the rule leaves it out in every slot, slot 0 included.
  Federation f(4);
  f.found(4, 2);
  const Hash end_three = f.propose(0, RosterOp::revoke, 3, 0);
  f.approve(1, end_three);
  const Hash end_two = f.propose(1, RosterOp::revoke, 2, 0);
  f.approve(3, end_three);  // seq 1 of the stolen key: within the margin
  f.approve(3, end_two);    // seq 2: beyond it
  const std::vector<SignedEntry> held = f.entries;
  const std::vector<SignedEntry> refused(held.begin(), held.end() - 1);
  auto with = compute_federation(*f.genesis, held, 1);
  auto without = compute_federation(*f.genesis, refused, 1);
  REQUIRE(with);
  REQUIRE(without);
  CHECK(with->members.contains(f.key(2)));
  CHECK_FALSE(with->members.contains(f.key(3)));
  CHECK(with->ended_after == without->ended_after);
  CHECK(with->members.size() == without->members.size());
  REQUIRE(with->applied.size() == without->applied.size());
  for (std::size_t n = 0; n < with->applied.size(); ++n)
    CHECK(with->applied[n].proposal == without->applied[n].proposal);
  REQUIRE(with->pending.size() == without->pending.size());
  for (std::size_t n = 0; n < with->pending.size(); ++n) {
    CHECK(with->pending[n].proposal == without->pending[n].proposal);
    CHECK(with->pending[n].approvers == without->pending[n].approvers);
    CHECK(with->pending[n].other_signers == without->pending[n].other_signers);
  }
  CHECK(with->entries_beyond_margin == 1);
  CHECK(without->entries_beyond_margin == 0);
  CHECK(with->settled);
  // Within the margin the thief's approval is carried everywhere and counts where 3 is still a
  // member: held by every node alike, so it may carry a change, as any signature made before
  // the revocation took effect.
  auto carried = compute_federation(*f.genesis, held, 2);
  REQUIRE(carried);
  CHECK(carried->entries_beyond_margin == 0);
}

namespace {

// A removal of member 3 after its seq 1, approved by K = 2 and qualifying in slot 0, and a rival
// for slot 0 with a lower id that 3 approves `late` entries after its end: an entry that, read,
// keeps 3's log from ending (the rival takes slot 0 and the removal goes stale). Some nodes
// hold it (they took it while 3 was a member to them), others refused it (beyond the margin).
// Found by review: the rule starting from no ends gave the two kinds of nodes two different
// fixed points, each settled.
void check_a_late_entry_cannot_undo_its_own_end(std::uint64_t late, std::uint64_t margin) {
  Federation f(4);
  f.found(4, 2);
  f.approve(3, f.genesis->id());  // 3's seq 1: its log ends here
  const Hash removal = f.propose(0, RosterOp::remove_after, 3, 1);
  f.approve(1, removal);
  std::optional<Hash> rival;
  for (std::uint64_t k : {1, 3, 4, 1, 3, 4, 1, 3, 4, 1, 3, 4}) {  // until one sorts first
    const Hash id = f.sign(2, RosterProposal{f.genesis->id(), 0, RosterOp::threshold, PublicKey{},
                                             "", k, {}}).id();
    if (id < removal) {
      rival = id;
      break;
    }
  }
  REQUIRE(rival);
  for (std::uint64_t n = 1; n < late; ++n) f.approve(3, f.genesis->id());  // any entries
  f.approve(3, *rival);
  const std::vector<SignedEntry> held = f.entries;
  const std::vector<SignedEntry> refused(held.begin(), held.end() - 1);
  auto with = compute_federation(*f.genesis, held, margin);
  auto without = compute_federation(*f.genesis, refused, margin);
  REQUIRE(with);
  REQUIRE(without);
  CHECK(with->ended_after == without->ended_after);
  CHECK(with->threshold == without->threshold);
  CHECK(with->members.size() == without->members.size());
  CHECK(with->ended_after.at(f.key(3)) == 1);
  CHECK(with->settled);
  CHECK(without->settled);
}

}  // namespace

TEST_CASE("an entry beyond the margin cannot undo its own log's end", "[federation]") {
  SECTION("a margin of 1") { check_a_late_entry_cannot_undo_its_own_end(2, 1); }
  SECTION("the protocol's margin") {
    check_a_late_entry_cannot_undo_its_own_end(ended_log_margin + 1, ended_log_margin);
  }
}

TEST_CASE("a change that would leave fewer members than K does not apply", "[federation]") {
  Federation f(3);
  f.found(3, 3);
  Hash rm = f.propose(0, RosterOp::remove, 2);
  f.approve(1, rm);
  f.approve(2, rm);
  auto s = f.state();
  CHECK(s.members.size() == 3);
  REQUIRE(s.pending.size() == 1);
  CHECK_FALSE(s.pending[0].fits);
}

TEST_CASE("an invitation round-trips and a mistyped one is refused", "[federation]") {
  Invitation inv;
  for (std::size_t i = 0; i < 32; ++i) inv.network_key.bytes[i] = static_cast<std::uint8_t>(i);
  inv.genesis.bytes[0] = 7;
  inv.founder = seeded_identity(3).public_key();
  inv.peers = {{inv.founder, "ws://127.0.0.1:7400/gossip"},
               {seeded_identity(4).public_key(), "ws://[::1]:7401/gossip"}};
  const std::string text = encode_invitation(inv);
  CHECK(text.rfind("ifexinv1", 0) == 0);
  auto back = decode_invitation("  " + text + "\n");
  REQUIRE(back);
  CHECK(*back == inv);
  for (std::size_t at : {9ul, text.size() / 2, text.size() - 1}) {
    std::string typo = text;
    typo[at] = typo[at] == 'a' ? 'b' : 'a';
    CHECK_FALSE(decode_invitation(typo));
  }
  CHECK_FALSE(decode_invitation(text.substr(0, text.size() - 1)));
  CHECK_FALSE(decode_invitation("ifexinv1"));
  CHECK_FALSE(decode_invitation(""));
}

TEST_CASE("the genesis example of docs/protocol.md", "[federation]") {
  auto key = PublicKey::from_hex("03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8");
  REQUIRE(key);
  GenesisRoster g{"IFEX", 1, {{*key, "A"}}};
  Bytes expected = hex_bytes("010101" "0400000000000000" "49464558" "0100000000000000"
                             "0100000000000000"
                             "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
                             "0100000000000000" "41");
  CHECK(expected.size() == 72);
  CHECK(encode_roster_change(g) == expected);
}

TEST_CASE("a rotation moves a member to a new key, one organisation", "[federation]") {
  Federation f(7);
  f.found(4, 3);
  auto rotate = [&](std::size_t who, std::size_t from, std::size_t to, std::uint64_t after) {
    RosterProposal p{f.genesis->id(), f.state().applied.size(), RosterOp::rotate, f.key(from),
                     "", after, f.key(to)};
    return f.sign(who, p).id();
  };
  // A thief holding member 2's current key rotates it to a key of its own (5): its signature
  // and one more are K - 1; nothing changes.
  Hash theft = rotate(2, 2, 5, 7);
  f.approve(3, theft);
  CHECK(f.member(2));
  CHECK_FALSE(f.member(5));
  // The members rotate 2 to its new node's key (4), its entries after 1 void.
  Hash genuine = rotate(0, 2, 4, 1);
  f.approve(1, genuine);
  f.approve(3, genuine);
  auto s = f.state();
  CHECK_FALSE(s.members.contains(f.key(2)));
  REQUIRE(s.members.contains(f.key(4)));
  const auto& m = s.members.at(f.key(4));
  CHECK(m.name == "ngo 2");        // one organisation: the name ...
  CHECK(m.since_change == 0);      // ... and its place (a founder) carry over
  CHECK(m.earlier_keys == std::vector<PublicKey>{f.key(2)});
  CHECK(s.ended_after.at(f.key(2)) == 1);
  CHECK(s.rotated_to.at(f.key(2)) == f.key(4));
  CHECK_FALSE(s.former_names.contains(f.key(2)));  // not a former member: the same one
  // The thief's rotation no longer fits (2 is no member), whatever approvals it gets now.
  f.approve(0, theft);
  CHECK_FALSE(f.member(5));
  // The new key signs for the organisation; the old key's signatures count for nothing, and
  // the old key cannot come back, nor be a successor.
  Hash add = f.propose(4, RosterOp::add, 6);
  f.approve(2, add);
  f.approve(0, add);
  CHECK_FALSE(f.member(6));
  f.approve(1, add);
  CHECK(f.member(6));
  Hash back = rotate(4, 4, 2, 9);
  f.approve(0, back);
  f.approve(1, back);
  CHECK(f.member(4));
  CHECK_FALSE(f.member(2));
}

TEST_CASE("a rotation payload names two different keys", "[federation]") {
  Federation f(2);
  RosterProposal p{Hash{}, 0, RosterOp::rotate, f.key(0), "", 3, f.key(1)};
  auto back = decode_roster_change(encode_roster_change(p));
  REQUIRE(back);
  CHECK(std::get<RosterProposal>(*back) == p);
  p.successor = p.member;
  CHECK_FALSE(decode_roster_change(encode_roster_change(p)));
}
