// Log rules: where an entry fits, fork proofs, and PendingEntries, including the property that
// random valid logs imported in any order end identical to the author's.
#include "protocol/log_rules.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>

#include "protocol/canonical.hpp"
#include "tests/protocol/protocol_fixtures.hpp"

namespace ifex {
namespace {

using test::make_entry;
using test::make_log;
using test::seeded_identity;

Bytes text_bytes(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

TEST_CASE("fit_entry gives each of its four outcomes", "[log]") {
  Identity id = seeded_identity(20);
  auto log = make_log(id, 3);
  const LogHead empty;
  const LogHead at_1 = head_after(log[0]);
  const LogHead at_2 = head_after(log[1]);
  CHECK(at_2 == LogHead{2, log[1].id()});

  CHECK(fit_entry(empty, log[0]) == ChainFit::next);
  CHECK(fit_entry(at_1, log[1]) == ChainFit::next);
  CHECK(fit_entry(at_2, log[2]) == ChainFit::next);

  CHECK(fit_entry(at_1, log[0]) == ChainFit::known_seq);
  CHECK(fit_entry(at_2, log[0]) == ChainFit::known_seq);
  CHECK(fit_entry(at_2, log[1]) == ChainFit::known_seq);

  CHECK(fit_entry(empty, log[1]) == ChainFit::gap);
  CHECK(fit_entry(empty, log[2]) == ChainFit::gap);
  CHECK(fit_entry(at_1, log[2]) == ChainFit::gap);

  // seq 2 chained to a seq 1 this node does not hold: the author signed two entries at seq 1.
  SignedEntry other_1 = make_entry(id, 1, Hash{}, text_bytes("another first entry"));
  SignedEntry on_other = make_entry(id, 2, other_1.id(), text_bytes("built on it"));
  CHECK(fit_entry(at_1, on_other) == ChainFit::prev_mismatch);
}

// --- fork proofs --------------------------------------------------------------------------------

struct Fork {
  Identity id = seeded_identity(30);
  std::vector<SignedEntry> log = make_log(id, 3);
  SignedEntry twin = make_entry(id, 2, log[0].id(), text_bytes("a different seq 2"));
};

Bytes hand_encoded_proof(const SignedEntry& first, const SignedEntry& second) {
  CanonicalWriter w;
  w.u8(1);
  w.bytes(first.bytes());
  w.bytes(second.bytes());
  return w.finish();
}

TEST_CASE("a fork proof needs two different entries at one (author, seq)", "[log][fork]") {
  Fork f;
  auto proof = make_fork_proof(f.log[1], f.twin);
  REQUIRE(proof);
  CHECK(proof->author() == f.id.public_key());
  CHECK(proof->seq() == 2);
  CHECK(proof->first().id() < proof->second().id());
  // The order is by id, whatever order the entries were given in.
  auto reversed = make_fork_proof(f.twin, f.log[1]);
  REQUIRE(reversed);
  CHECK(reversed->first().id() == proof->first().id());
  CHECK(encode_fork_proof(*reversed) == encode_fork_proof(*proof));

  auto same = make_fork_proof(f.log[1], f.log[1]);
  REQUIRE_FALSE(same);
  CHECK(same.error().code == "bad_fork_proof");
  CHECK_THAT(same.error().message, Catch::Matchers::Contains("same entry"));

  auto different_seq = make_fork_proof(f.log[1], f.log[2]);
  REQUIRE_FALSE(different_seq);
  CHECK(different_seq.error().code == "bad_fork_proof");
  CHECK_THAT(different_seq.error().message, Catch::Matchers::Contains("different seq"));

  Identity other = seeded_identity(31);
  auto other_log = make_log(other, 2);
  auto different_author = make_fork_proof(f.log[1], other_log[1]);
  REQUIRE_FALSE(different_author);
  CHECK(different_author.error().code == "bad_fork_proof");
}

TEST_CASE("fork proofs round-trip and refuse tampering", "[log][fork]") {
  Fork f;
  auto proof = make_fork_proof(f.log[1], f.twin);
  REQUIRE(proof);
  const Bytes bytes = encode_fork_proof(*proof);
  CHECK(bytes == hand_encoded_proof(proof->first(), proof->second()));

  auto decoded = decode_fork_proof(bytes, EntryLimits{});
  REQUIRE(decoded);
  CHECK(decoded->first().bytes() == proof->first().bytes());
  CHECK(decoded->second().bytes() == proof->second().bytes());
  CHECK(encode_fork_proof(*decoded) == bytes);

  std::vector<std::string> accepted;
  for (std::size_t pos = 0; pos < bytes.size(); ++pos) {
    for (std::uint8_t pattern : {0x01, 0x80, 0xff}) {
      Bytes bad = bytes;
      bad[pos] ^= pattern;
      if (decode_fork_proof(bad, EntryLimits{}))
        accepted.push_back(std::to_string(pos) + "^" + std::to_string(pattern));
    }
  }
  INFO("accepted tampered proofs: " << accepted.size());
  CHECK(accepted.empty());
  for (std::size_t len = 0; len < bytes.size(); ++len)
    CHECK_FALSE(decode_fork_proof(ByteView(bytes).first(len), EntryLimits{}));

  auto code_of = [](ByteView b) {
    auto r = decode_fork_proof(b, EntryLimits{});
    return r ? std::string("ok") : r.error().code;
  };
  Bytes longer = bytes;
  longer.push_back(0);
  CHECK(code_of(longer) == "trailing_bytes");
  Bytes format = bytes;
  format[1] = 2;
  CHECK(code_of(format) == "unknown_version");
  CHECK(code_of(hand_encoded_proof(proof->second(), proof->first())) == "not_canonical");
  CHECK(code_of(hand_encoded_proof(f.log[1], f.log[1])) == "bad_fork_proof");
  CHECK(code_of(hand_encoded_proof(f.log[1], f.log[2])) == "bad_fork_proof");
  CHECK(code_of(bytes) == "ok");
  // An entry over the receiver's limit makes the whole proof too large.
  CHECK(decode_fork_proof(bytes, EntryLimits{proof->first().bytes().size() - 1}).error().code ==
        "too_large");
}

// --- PendingEntries -----------------------------------------------------------------------------

TEST_CASE("PendingEntries is bounded", "[log][pending]") {
  Identity id = seeded_identity(40);
  auto log = make_log(id, 6);
  PendingEntries pending(3);
  CHECK(pending.hold(log[1]));
  CHECK(pending.hold(log[1]));  // already held: not counted twice
  CHECK(pending.size() == 1);
  CHECK(pending.hold(log[2]));
  CHECK(pending.hold(log[3]));
  CHECK(pending.size() == 3);
  CHECK_FALSE(pending.hold(log[4]));
  CHECK(pending.size() == 3);
  // Taking makes room again.
  auto ready = pending.take_ready(id.public_key(), head_after(log[0]));
  CHECK(ready.size() == 3);
  CHECK(pending.size() == 0);
  CHECK(pending.hold(log[4]));
}

TEST_CASE("PendingEntries gives back contiguous runs in seq order", "[log][pending]") {
  Identity id = seeded_identity(41);
  Identity other = seeded_identity(42);
  auto log = make_log(id, 6);
  PendingEntries pending(100);
  for (std::size_t i : {5, 2, 1, 4}) REQUIRE(pending.hold(log[i]));  // seq 6, 3, 2, 5

  CHECK(pending.take_ready(other.public_key(), LogHead{}).empty());
  CHECK(pending.take_ready(id.public_key(), LogHead{}).empty());  // seq 1 is missing
  CHECK(pending.size() == 4);

  auto ready = pending.take_ready(id.public_key(), head_after(log[0]));
  REQUIRE(ready.size() == 2);  // seq 2 and 3; seq 4 is missing
  CHECK(ready[0].id() == log[1].id());
  CHECK(ready[1].id() == log[2].id());
  CHECK(pending.size() == 2);

  // Entries the log already covers are dropped, not returned.
  ready = pending.take_ready(id.public_key(), head_after(log[4]));
  REQUIRE(ready.size() == 1);
  CHECK(ready[0].id() == log[5].id());
  CHECK(pending.size() == 0);

  REQUIRE(pending.hold(log[3]));
  REQUIRE(pending.hold(log[4]));
  CHECK(pending.take_ready(id.public_key(), head_after(log[5])).empty());
  CHECK(pending.size() == 0);

  REQUIRE(pending.hold(log[3]));
  REQUIRE(pending.hold(log[5]));
  auto all = pending.take_all();
  CHECK(all.size() == 2);
  CHECK(pending.size() == 0);
  CHECK(pending.take_all().empty());
}

TEST_CASE("conflicting candidates come back right after the one that fits", "[log][pending]") {
  Fork f;  // log 1..3, and twin: a second seq 2 chained to seq 1
  SignedEntry on_twin = make_entry(f.id, 3, f.twin.id(), text_bytes("built on the twin"));
  PendingEntries pending(100);
  // Both seq 2 entries chain to seq 1, so the first held continues the log. At seq 3 only
  // log[2] chains to it: on_twin arrived first but comes back after it.
  for (const auto* e : {&on_twin, &f.log[2], &f.log[1], &f.twin}) REQUIRE(pending.hold(*e));

  auto ready = pending.take_ready(f.id.public_key(), head_after(f.log[0]));
  REQUIRE(ready.size() == 4);
  CHECK(ready[0].id() == f.log[1].id());
  CHECK(ready[1].id() == f.twin.id());
  CHECK(ready[2].id() == f.log[2].id());
  CHECK(ready[3].id() == on_twin.id());
  CHECK(pending.size() == 0);

  // Fed to the log rules in that order, the conflicts meet a known seq and become fork proofs.
  LogHead head = head_after(f.log[0]);
  std::map<std::uint64_t, SignedEntry> stored;
  std::size_t forks = 0;
  for (auto& e : ready) {
    switch (fit_entry(head, e)) {
      case ChainFit::next:
        head = head_after(e);
        stored.emplace(e.seq(), e);
        break;
      case ChainFit::known_seq:
        forks += make_fork_proof(stored.at(e.seq()), e).ok();
        break;
      default:
        FAIL("unexpected fit for seq " << e.seq());
    }
  }
  CHECK(forks == 2);
  CHECK(head == head_after(f.log[2]));
}

TEST_CASE("candidates that can never chain are handed back, not kept", "[log][pending]") {
  Fork f;
  // A seq 3 chained to the twin: once this node holds the real seq 2, it can never fit.
  SignedEntry on_twin = make_entry(f.id, 3, f.twin.id(), text_bytes("built on the twin"));
  PendingEntries pending(100);
  REQUIRE(pending.hold(on_twin));
  auto ready = pending.take_ready(f.id.public_key(), head_after(f.log[1]));
  REQUIRE(ready.size() == 1);
  CHECK(fit_entry(head_after(f.log[1]), ready[0]) == ChainFit::prev_mismatch);
  CHECK(pending.size() == 0);
}

// Delivers entries the way a node does: append what fits, hold what is ahead of a gap, take what
// the gap was holding back. Returns false on anything a valid log cannot produce.
class Replica {
 public:
  explicit Replica(std::size_t max_pending) : pending_(max_pending) {}

  bool deliver(const SignedEntry& e) {
    switch (fit_entry(head(e.author()), e)) {
      case ChainFit::next:
        append(e);
        for (auto& r : pending_.take_ready(e.author(), head(e.author()))) {
          if (fit_entry(head(r.author()), r) != ChainFit::next) return false;
          append(r);
        }
        return true;
      case ChainFit::gap:
        return pending_.hold(e);
      case ChainFit::known_seq:  // a duplicate; anything else would be a fork
        return logs_[e.author()].at(e.seq() - 1).id() == e.id();
      case ChainFit::prev_mismatch:
        return false;
    }
    return false;
  }
  const std::vector<SignedEntry>& log(const PublicKey& author) { return logs_[author]; }
  std::size_t pending() const { return pending_.size(); }

 private:
  LogHead head(const PublicKey& author) {
    auto& log = logs_[author];
    return log.empty() ? LogHead{} : head_after(log.back());
  }
  void append(const SignedEntry& e) { logs_[e.author()].push_back(e); }

  std::map<PublicKey, std::vector<SignedEntry>> logs_;
  PendingEntries pending_;
};

TEST_CASE("random valid logs imported in random order end identical", "[log][pending][property]") {
  constexpr std::size_t authors = 4, length = 50;
  std::vector<Identity> ids;
  std::vector<std::vector<SignedEntry>> logs;
  for (std::size_t a = 0; a < authors; ++a) {
    ids.push_back(seeded_identity(static_cast<std::uint8_t>(50 + 32 * a)));
    logs.push_back(make_log(ids.back(), length, "author " + std::to_string(a)));
  }
  for (std::uint32_t seed = 1; seed <= 200; ++seed) {
    std::mt19937 rng(seed);
    std::vector<const SignedEntry*> arrivals;
    for (const auto& log : logs)
      for (const auto& e : log) {
        arrivals.push_back(&e);
        if (rng() % 4 == 0) arrivals.push_back(&e);  // some arrive twice, from two peers
      }
    std::shuffle(arrivals.begin(), arrivals.end(), rng);

    Replica replica(authors * length);
    bool all_accepted = true;
    for (const auto* e : arrivals) all_accepted = replica.deliver(*e) && all_accepted;
    bool identical = true;
    for (std::size_t a = 0; a < authors; ++a) {
      const auto& got = replica.log(ids[a].public_key());
      identical = identical && got.size() == length &&
                  std::equal(got.begin(), got.end(), logs[a].begin(),
                             [](auto& x, auto& y) { return x.bytes() == y.bytes(); });
    }
    INFO("seed " << seed);
    CHECK(all_accepted);
    CHECK(identical);
    CHECK(replica.pending() == 0);
  }
}

}  // namespace
}  // namespace ifex
