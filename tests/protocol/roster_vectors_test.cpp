// The roster vectors of docs/protocol.md ("Roster vectors", made by
// tests/vectors/reference_roster.py): the same scenario signed and computed through the C++ API,
// printed in the same form and compared with the block published in the doc, read at test time.
// protocol_roster_vector_reference checks the same block against the Python reference, so the
// two implementations agree byte for byte or one of the tests fails.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "keys/base32.hpp"
#include "keys/key_text.hpp"
#include "protocol/federation_roster.hpp"
#include "protocol/invitation.hpp"
#include "protocol/roster_change.hpp"
#include "tests/protocol/protocol_fixtures.hpp"

using namespace ifex;
using namespace ifex::test;

namespace {

constexpr std::uint64_t created_ms_base = 1'700'000'000'000;  // entry n: + 60,000 n
const std::string letters = "ABCDEFGH";                       // identity i: seeded_identity(i)
const std::map<char, std::string> names = {{'A', "Alpha"}, {'B', "Beta"},    {'C', "Ça presse"},
                                           {'D', "Delta"}, {'E', "Epsilon"}, {'F', "Zeta"}};

struct Scenario {
  std::vector<Identity> ids;
  std::vector<SignedEntry> entries;  // entry n is entries[n - 1]
  std::map<char, std::pair<std::uint64_t, Hash>> heads;

  Scenario() {
    for (std::size_t i = 0; i < letters.size(); ++i)
      ids.push_back(seeded_identity(static_cast<std::uint8_t>(i)));
  }
  PublicKey key(char who) const { return ids[letters.find(who)].public_key(); }
  const Hash& id(std::size_t n) const { return entries.at(n - 1).id(); }
  void sign(char who, const RosterChange& change) {
    auto& [seq, prev] = heads[who];
    EntryFields f{key(who),
                  ++seq,
                  prev,
                  created_ms_base + 60'000 * (entries.size() + 1),
                  EntryKind::roster,
                  encode_roster_change(change)};
    entries.push_back(sign_entry(ids[letters.find(who)], std::move(f)));
    prev = entries.back().id();
  }
  void propose(char who, std::uint64_t base, RosterOp op, char member, std::uint64_t value = 0,
               char successor = 0) {
    RosterProposal p{id(1), base, op, {}, "", value, {}};
    if (op != RosterOp::threshold) p.member = key(member);
    if (op == RosterOp::rotate) p.successor = key(successor);
    if (op == RosterOp::add) p.name = names.at(member);
    sign(who, p);
  }
  void approve(char who, std::size_t proposal) { sign(who, RosterApproval{id(1), id(proposal)}); }
};

// The scenario of reference_roster.py, entry by entry, with the same descriptions.
const std::vector<std::pair<char, std::string>> steps = {
    {'A', "genesis \"IFEX roster vectors\", K = 2, members A, B, C"},
    {'A', "proposal, base 0: add D"},
    {'B', "approval of entry 2"},
    {'C', "approval of entry 2"},
    {'A', "proposal, base 1: revoke C after seq 1"},
    {'D', "approval of entry 5"},
    {'B', "proposal, base 2: add E"},
    {'D', "approval of entry 7"},
    {'D', "proposal, base 2: add F"},
    {'A', "approval of entry 9"},
    {'C', "approval of entry 9"},
    {'A', "proposal, base 3: threshold 3"},
    {'B', "approval of entry 12"},
    {'G', "genesis \"Another federation\", K = 1, members G"},
    {'G', "approval of entry 12"},
    {'D', "proposal, base 4: remove B"},
    {'A', "approval of entry 16"},
    {'B', "approval of entry 5"},
    {'A', "proposal, base 4: rotate E to H after seq 0"},
    {'B', "approval of entry 19"},
    {'D', "approval of entry 19"},
    {'A', "proposal, base 5: remove D after seq 3"},
    {'B', "approval of entry 22"},
    {'H', "approval of entry 22"},
};

Scenario make_scenario() {
  Scenario s;
  s.sign('A', GenesisRoster{"IFEX roster vectors",
                            2,
                            {{s.key('C'), names.at('C')},
                             {s.key('A'), names.at('A')},
                             {s.key('B'), names.at('B')}}});
  s.propose('A', 0, RosterOp::add, 'D');
  s.approve('B', 2);
  s.approve('C', 2);
  s.propose('A', 1, RosterOp::revoke, 'C', 1);
  s.approve('D', 5);
  s.propose('B', 2, RosterOp::add, 'E');
  s.approve('D', 7);
  s.propose('D', 2, RosterOp::add, 'F');
  s.approve('A', 9);
  s.approve('C', 9);
  s.propose('A', 3, RosterOp::threshold, 0, 3);
  s.approve('B', 12);
  s.sign('G', GenesisRoster{"Another federation", 1, {{s.key('G'), "Eta"}}});
  s.approve('G', 12);
  s.propose('D', 4, RosterOp::remove, 'B');
  s.approve('A', 16);
  s.approve('B', 5);
  s.propose('A', 4, RosterOp::rotate, 'E', 0, 'H');
  s.approve('B', 19);
  s.approve('D', 19);
  s.propose('A', 5, RosterOp::remove_after, 'D', 3);
  s.approve('B', 22);
  s.approve('H', 22);
  return s;
}

std::string wrapped_hex(ByteView bytes) {
  const std::string h = to_hex(bytes);
  std::string out;
  for (std::size_t i = 0; i < h.size(); i += 64) out += (i ? "\n  " : "  ") + h.substr(i, 64);
  return out;
}

struct Renderer {
  const Scenario& s;
  std::map<PublicKey, char> letter_of;
  std::map<Hash, std::size_t> number_of;

  explicit Renderer(const Scenario& scenario) : s(scenario) {
    for (char c : letters) letter_of[s.key(c)] = c;
    for (std::size_t n = 1; n <= s.entries.size(); ++n) number_of[s.id(n)] = n;
  }
  std::string change(const RosterProposal& p) const {
    switch (p.op) {
      case RosterOp::threshold:
        return "threshold " + std::to_string(p.value);
      case RosterOp::revoke:
      case RosterOp::remove_after:
        return std::string(p.op == RosterOp::revoke ? "revoke " : "remove ") +
               letter_of.at(p.member) + " after seq " + std::to_string(p.value);
      case RosterOp::rotate:
        return std::string("rotate ") + letter_of.at(p.member) + " to " +
               letter_of.at(p.successor) + " after seq " + std::to_string(p.value);
      default:
        return std::string(roster_op_name(p.op)) + " " + letter_of.at(p.member);
    }
  }
  std::string decided(const RosterDecision& d) const {
    std::string who;
    for (const auto& k : d.approvers)
      who += (who.empty() ? "" : " ") + std::string(1, letter_of.at(k));
    return "entry " + std::to_string(number_of.at(d.proposal)) + " (" + change(d.change) +
           ", base " + std::to_string(d.change.base) + ") by " + letter_of.at(d.proposer) +
           ": counting " + (who.empty() ? "none" : who) + "; not counting " +
           std::to_string(d.other_signers);
  }
  void roster(std::ostream& out, const FederationState& f) const {
    out << "  federation: \"" << f.name << "\", genesis entry " << number_of.at(f.genesis)
        << ", founder " << letter_of.at(f.founder) << "\n  threshold: " << f.threshold
        << "\n  members (by key):\n";
    for (const auto& [key, m] : f.members) {
      out << "    " << letter_of.at(key) << " \"" << m.name << "\", since change " << m.since_change;
      for (std::size_t i = 0; i < m.earlier_keys.size(); ++i)
        out << (i ? " " : ", earlier keys ") << letter_of.at(m.earlier_keys[i]);
      out << "\n";
    }
    out << "  ended logs:" << (f.ended_after.empty() ? " none" : "") << "\n";
    for (const auto& [key, after] : f.ended_after)
      out << "    " << letter_of.at(key) << " after seq " << after << " ("
          << (f.removed_keys.contains(key) ? "removed" : "revoked") << ")\n";
    out << "  applied:" << (f.applied.empty() ? " none" : "") << "\n";
    for (std::size_t i = 0; i < f.applied.size(); ++i)
      out << "    change " << i + 1 << ": " << decided(f.applied[i]) << "\n";
    out << "  pending (by id):" << (f.pending.empty() ? " none" : "") << "\n";
    for (const auto& d : f.pending)
      out << "    " << decided(d) << "; " << (d.fits ? "fits" : "does not fit")
          << (d.stale ? ", stale" : "") << "\n";
    out << "  ignored entries: " << f.ignored_entries << "; beyond a margin: " << f.entries_beyond_margin
        << "\n  rounds: " << f.rounds << (f.settled ? "" : ", a cycle") << "\n";
  }
};

std::string cpp_vectors() {
  const Scenario s = make_scenario();
  REQUIRE(s.entries.size() == steps.size());
  const Renderer r(s);
  std::ostringstream out;
  out << "keys (identity i: the seed i, i + 1, ..., i + 31):\n";
  for (std::size_t i = 0; i < letters.size(); ++i)
    out << "  " << letters[i] << " (seed " << i << "): " << s.key(letters[i]).hex() << "\n";
  for (std::size_t n = 1; n <= s.entries.size(); ++n) {
    const SignedEntry& e = s.entries[n - 1];
    REQUIRE(e.author() == s.key(steps[n - 1].first));
    // The decoder takes the published payload back, and it is in canonical form.
    auto decoded = decode_roster_change(e.payload());
    REQUIRE(decoded);
    CHECK(encode_roster_change(*decoded) == e.payload());
    out << "\nentry " << n << ": " << steps[n - 1].first << " seq " << e.seq() << ", "
        << steps[n - 1].second << "\npayload (" << e.payload().size() << " bytes):\n"
        << wrapped_hex(e.payload()) << "\nid:\n"
        << wrapped_hex(e.id().view()) << "\n";
  }
  struct Shown {
    std::size_t upto;
    std::string title;
    std::uint64_t margin;
  };
  for (const Shown& shown : std::vector<Shown>{
           {17, "entries 1 to 17", ended_log_margin},
           {18, "entries 1 to 18 (B approves the revocation late)", ended_log_margin},
           {21, "entries 1 to 21 (E moves to the key H)", ended_log_margin},
           {24, "entries 1 to 24 (D is removed, its log ends after seq 3)", ended_log_margin},
           {24, "entries 1 to 24 with a margin of 1 (a cycle of ends)", 1}}) {
    const auto& [upto, title, margin] = shown;
    auto f = compute_federation(s.entries[0], std::span(s.entries).first(upto), margin);
    REQUIRE(f);
    out << "\nroster from " << title << ":\n";
    r.roster(out, *f);
  }
  Invitation inv;
  for (std::size_t i = 0; i < 32; ++i)
    inv.network_key.bytes[i] = static_cast<std::uint8_t>(0x80 + i);
  inv.genesis = s.id(1);
  inv.founder = s.key('A');
  inv.peers = {{s.key('A'), "wss://alpha.example.org/gossip"},
               {s.key('B'), "ws://192.0.2.10:7400/gossip"}};
  const std::string text = encode_invitation(inv);
  auto back = decode_invitation(text);
  REQUIRE(back);
  CHECK(*back == inv);
  // The body is what the text carries before its 4-byte checksum.
  auto raw = base32_decode(std::string_view(text).substr(invitation_prefix.size()));
  REQUIRE(raw);
  REQUIRE(raw->size() > typed_key_checksum_size);
  const ByteView body = ByteView(*raw).first(raw->size() - typed_key_checksum_size);
  out << "\ninvitation: network key 80 81 ... 9f, genesis entry 1, founder A, peers A "
      << inv.peers[0].url << ", B " << inv.peers[1].url << "\nbody (" << body.size() << " bytes):\n"
      << wrapped_hex(body) << "\ntext (" << text.size()
      << " characters, one line, wrapped here):\n";
  for (std::size_t i = 0; i < text.size(); i += 64) out << "  " << text.substr(i, 64) << "\n";
  return out.str();
}

// The block between the markers in docs/protocol.md, as published.
std::string published_block() {
  std::ifstream in(std::string(IFEX_SOURCE_DIR) + "/docs/protocol.md");
  REQUIRE(in);
  std::stringstream all;
  all << in.rdbuf();
  const std::string doc = all.str();
  const std::string begin =
      "<!-- begin: output of tests/vectors/reference_roster.py -->\n```text\n";
  const std::string end = "```\n<!-- end: output of tests/vectors/reference_roster.py -->";
  const auto from = doc.find(begin);
  REQUIRE(from != std::string::npos);
  const auto to = doc.find(end, from);
  REQUIRE(to != std::string::npos);
  return doc.substr(from + begin.size(), to - from - begin.size());
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("the C++ code reproduces the published roster vectors", "[federation][vector]") {
  const auto published = lines(published_block());
  const auto made = lines(cpp_vectors());
  for (std::size_t i = 0; i < std::min(published.size(), made.size()); ++i) {
    INFO("line " << i + 1 << " of the roster vector block");
    REQUIRE(made[i] == published[i]);  // the first difference is the one to read
  }
  CHECK(made.size() == published.size());
}
