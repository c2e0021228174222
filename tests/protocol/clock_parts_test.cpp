// Gossip version 3's clock in parts: the codec of type 9 (each refusal of the decoder), cutting
// a clock into parts that fit a message, gathering them back within a bound, and the
// Replicator's rules around them (nothing between parts, parts only on version-3 connections,
// the clock for older peers that cannot take it in one message, have notes split to fit).
#include "protocol/clock_parts.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

#include "protocol/gossip_messages.hpp"
#include "protocol/replicator.hpp"
#include "tests/protocol/protocol_fixtures.hpp"
#include "tests/protocol/replication_harness.hpp"

namespace ifex {
namespace {

using test::make_log;
using test::MemoryLogs;
using test::seeded_identity;

// Authors by number, no identity behind them (a clock names keys, it verifies nothing).
PublicKey numbered_key(std::size_t i) {
  Bytes b(32, 0);
  for (std::size_t k = 0; k < 8; ++k) b[1 + k] = static_cast<std::uint8_t>(i >> (8 * (7 - k)));
  b[31] = 0x5a;
  return *PublicKey::from(b);
}

ClockMsg numbered_clock(std::size_t n) {
  ClockMsg c;
  for (std::size_t i = 0; i < n; ++i) c.heads.push_back({numbered_key(i), 0});
  return c;
}

std::string decode_error(const Bytes& bytes, const GossipLimits& limits = {}) {
  auto m = decode_gossip(bytes, limits);
  return m ? "" : m.error().code;
}

// --- codec ---------------------------------------------------------------------------------------

TEST_CASE("the clock part example of docs/protocol.md", "[gossip][codec][clock_part]") {
  const auto author = PublicKey::from_hex(
      "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8");
  const auto id =
      Hash::from_hex("5080d73408446470490c54dc55599708645ff3e5bae467e18bbbb4d9c08c3f53");
  REQUIRE(author);
  REQUIRE(id);
  // The same head as the version-2 clock example, as the last (and only) part of its clock.
  const Bytes expected = test::hex_bytes(
      "01090100"
      "0100000000000000"
      "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
      "0200000000000000"
      "5080d73408446470490c54dc55599708645ff3e5bae467e18bbbb4d9c08c3f53");
  const ClockPartMsg part{true, false, {{*author, 2, *id}}};
  CHECK(encode_gossip(part, GossipVersion::v3) == expected);
  CHECK(expected.size() == 84);
  auto back = decode_gossip(expected, GossipLimits{});
  REQUIRE(back);
  CHECK(std::get<ClockPartMsg>(*back) == part);
  CHECK(gossip_type_name(*back) == "clock_part");
}

TEST_CASE("clock parts round-trip and the decoder refuses every malformed one",
          "[gossip][codec][clock_part]") {
  const Identity f = seeded_identity(130);
  const auto log = make_log(f, 2);
  const PublicKey other = seeded_identity(131).public_key();
  const ClockPartMsg part{false, true, {{f.public_key(), 2, log[1].id()}, {other, 0}}};
  const Bytes bytes = encode_gossip(part, GossipVersion::v3);
  CHECK(bytes.size() == clock_part_header_bytes + 2 * 72);
  CHECK(bytes[1] == 9);
  auto back = decode_gossip(bytes, GossipLimits{});
  REQUIRE(back);
  CHECK(std::get<ClockPartMsg>(*back) == part);
  // The last part of a clock may be empty (a clock of nothing, or one that ended evenly).
  CHECK(decode_error(encode_gossip(ClockPartMsg{true, false, {}}, GossipVersion::v3)).empty());

  SECTION("flags are 0 or 1") {
    Bytes last = bytes;
    last[2] = 2;
    CHECK(decode_error(last) == "not_canonical");
    Bytes relay = bytes;
    relay[3] = 0xff;
    CHECK(decode_error(relay) == "not_canonical");
  }
  SECTION("a part that is not the last carries an entry") {
    CHECK(decode_error(encode_gossip(ClockPartMsg{false, false, {}}, GossipVersion::v3)) ==
          "empty");
  }
  SECTION("a head id for seq 0 is zero") {
    Bytes bad = bytes;
    bad.back() = 1;  // the last byte of the seq-0 entry's id
    CHECK(decode_error(bad) == "not_canonical");
  }
  SECTION("every truncation, and a count the bytes left cannot hold") {
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      CAPTURE(n);
      CHECK_FALSE(decode_gossip(ByteView(bytes.data(), n), GossipLimits{}));
    }
    Bytes more = bytes;
    more[4] = 3;  // count 3, two entries' bytes
    CHECK(decode_error(more) == "truncated");
  }
  SECTION("trailing bytes") {
    Bytes longer = bytes;
    longer.push_back(0);
    CHECK(decode_error(longer) == "trailing_bytes");
  }
  SECTION("limits: authors per message and the message's size") {
    GossipLimits one;
    one.max_clock_authors = 1;
    CHECK(decode_error(bytes, one) == "too_many");
    Bytes huge{0x01, 0x09, 0x00, 0x00};
    for (int i = 0; i < 8; ++i) huge.push_back(0xff);
    CHECK(decode_error(huge) == "too_many");  // fails on the limit, allocates nothing
    GossipLimits tight;
    tight.max_message_bytes = bytes.size() - 1;
    CHECK(decode_error(bytes, tight) == "too_large");
  }
}

// --- cutting and gathering -----------------------------------------------------------------------

TEST_CASE("a clock is cut into parts that each fit one message", "[clock_part]") {
  const std::size_t limit = GossipLimits{}.max_message_bytes;
  const std::size_t per_part = (limit - clock_part_header_bytes) / 72;
  CHECK(per_part == 1820);
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, per_part, per_part + 1,
                        std::size_t{10'000}}) {
    CAPTURE(n);
    const ClockMsg clock = numbered_clock(n);
    const auto parts = split_clock(clock, limit);
    CHECK(parts.size() == std::max<std::size_t>(1, (n + per_part - 1) / per_part));
    ClockMsg joined;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      CHECK(parts[i].last == (i + 1 == parts.size()));
      CHECK(encode_gossip(parts[i], GossipVersion::v3).size() <= limit);
      CHECK((parts[i].last || !parts[i].heads.empty()));
      joined.heads.insert(joined.heads.end(), parts[i].heads.begin(), parts[i].heads.end());
    }
    CHECK(joined == clock);
  }
}

TEST_CASE("parts gather into the clock when the last arrives, within a bound", "[clock_part]") {
  const ClockMsg clock = numbered_clock(10'000);
  const auto parts = split_clock(clock, GossipLimits{}.max_message_bytes);
  REQUIRE(parts.size() == 6);

  ClockAssembler gather(10'000);
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    auto r = gather.add(parts[i]);
    REQUIRE(r);
    CHECK_FALSE(r->has_value());
    CHECK(gather.in_progress());
  }
  auto whole = gather.add(parts.back());
  REQUIRE(whole);
  REQUIRE(whole->has_value());
  CHECK(**whole == clock);
  CHECK_FALSE(gather.in_progress());

  SECTION("one author over the bound is refused, and nothing stays buffered") {
    ClockAssembler small(9'999);
    Result<std::optional<ClockMsg>> r = std::optional<ClockMsg>{};
    for (const auto& p : parts) {
      r = small.add(p);
      if (!r) break;
    }
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "too_many");
    CHECK_FALSE(small.in_progress());
  }
  SECTION("parts of one clock agree on the relay flag") {
    ClockAssembler g(10'000);
    REQUIRE(g.add(parts[0]));
    ClockPartMsg relay = parts[1];
    relay.accepts_any_author = true;
    auto r = g.add(relay);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "bad_clock");
  }
  SECTION("a later clock starts afresh") {
    auto r = gather.add(ClockPartMsg{true, true, {{numbered_key(1), 4}}});
    REQUIRE(r);
    REQUIRE(r->has_value());
    CHECK(**r == ClockMsg{true, {{numbered_key(1), 4}}});
  }
}

// --- the Replicator ------------------------------------------------------------------------------

struct Node {
  MemoryLogs logs;
  std::set<PublicKey> carried;
  ReplicatorConfig config;
  Replicator r{config, logs, [this](const PublicKey& a) { return carried.contains(a); }};
  explicit Node(ReplicatorConfig c = {}) : config(c) {}
  ClockMsg clock() const { return logs.clock({carried.begin(), carried.end()}, false); }
};

TEST_CASE("a peer's clock in parts takes effect at the last part; nothing may come between",
          "[replicator][clock_part]") {
  Node n;
  const auto parts = split_clock(numbered_clock(3'000), GossipLimits{}.max_message_bytes);
  REQUIRE(parts.size() == 2);
  n.r.on_connected(1, n.clock(), 0);
  REQUIRE(n.r.on_message(1, parts[0], 0));
  CHECK_FALSE(n.r.peer_state(1)->clock_received);
  CHECK(n.r.on_message(1, PruneMsg{}, 0).error().code == "clock_part_expected");

  n.r.on_connected(2, n.clock(), 0);
  REQUIRE(n.r.on_message(2, parts[0], 0));
  REQUIRE(n.r.on_message(2, parts[1], 0));
  CHECK(n.r.peer_state(2)->clock_received);
  CHECK(n.r.on_message(2, PruneMsg{}, 0));
  // A later clock, in parts too: between its parts nothing may come either.
  REQUIRE(n.r.on_message(2, parts[0], 0));
  CHECK(n.r.on_message(2, HaveMsg{{}}, 0).error().code == "clock_part_expected");

  SECTION("a clock in parts over max_clock_authors costs the connection") {
    ReplicatorConfig small;
    small.max_clock_authors = 2'999;
    Node m(small);
    m.r.on_connected(1, m.clock(), 0);
    REQUIRE(m.r.on_message(1, parts[0], 0));
    CHECK(m.r.on_message(1, parts[1], 0).error().code == "too_many");
  }
  SECTION("parts come only on version-3 connections") {
    n.r.on_connected(3, n.clock(), 0, true, GossipVersion::v2);
    CHECK(n.r.on_message(3, parts[1], 0).error().code == "unexpected_clock_part");
  }
  SECTION("an author listed twice across parts is refused like in one clock") {
    n.r.on_connected(4, n.clock(), 0);
    REQUIRE(n.r.on_message(4, ClockPartMsg{false, false, {{numbered_key(7), 0}}}, 0));
    CHECK(n.r.on_message(4, ClockPartMsg{true, false, {{numbered_key(7), 1}}}, 0).error().code ==
          "bad_clock");
  }
}

TEST_CASE("our clock goes in parts on version 3, whole on older versions where it fits",
          "[replicator][clock_part]") {
  Node n;
  for (const auto& h : numbered_clock(10'000).heads) n.carried.insert(h.author);
  n.r.on_connected(1, n.clock(), 0, true, GossipVersion::v3);
  auto out = n.r.take_outgoing();
  REQUIRE(out.size() == 6);
  ClockMsg joined;
  for (const auto& [peer, m] : out) {
    const auto& part = std::get<ClockPartMsg>(m);
    CHECK(encode_gossip(m, GossipVersion::v3).size() <= GossipLimits{}.max_message_bytes);
    joined.heads.insert(joined.heads.end(), part.heads.begin(), part.heads.end());
  }
  CHECK(joined == n.clock());
  CHECK(n.r.stats().clock_parts_sent == 6);

  // A federation that fits one message: version 2 peers get the clock as before, at once.
  Node small;
  for (std::size_t i = 0; i < 1'820; ++i) small.carried.insert(numbered_key(i));
  small.r.on_connected(1, small.clock(), 0, true, GossipVersion::v2);
  auto whole = small.r.take_outgoing();
  REQUIRE(whole.size() == 1);
  CHECK(std::get<ClockMsg>(whole[0].second).heads.size() == 1'820);
  CHECK(encode_gossip(whole[0].second, GossipVersion::v2).size() == 131'051);
}

TEST_CASE("to an older peer, a clock too large for one message lists the authors it listed",
          "[replicator][clock_part]") {
  Node n;
  for (const auto& h : numbered_clock(10'000).heads) n.carried.insert(h.author);
  for (GossipVersion v : {GossipVersion::v1, GossipVersion::v2}) {
    CAPTURE(static_cast<int>(v));
    n.r.on_connected(1, n.clock(), 0, true, v);
    CHECK(n.r.take_outgoing().empty());  // ours waits for its clock
    // It carries 50 of our authors and one we do not carry.
    ClockMsg theirs;
    for (std::size_t i = 9'000; i < 9'050; ++i) theirs.heads.push_back({numbered_key(i), 0});
    theirs.heads.push_back({seeded_identity(140).public_key(), 3});
    REQUIRE(n.r.on_message(1, theirs, 0));
    auto out = n.r.take_outgoing();
    REQUIRE_FALSE(out.empty());
    const auto& ours = std::get<ClockMsg>(out[0].second);  // our clock comes first
    REQUIRE(ours.heads.size() == 50);
    for (std::size_t i = 0; i < 50; ++i) CHECK(ours.heads[i].author == numbered_key(9'000 + i));
    // Its roster grows: its new clock gets ours again, for the authors it lists now.
    theirs.heads.push_back({numbered_key(3), 0});
    REQUIRE(n.r.on_message(1, theirs, 0));
    out = n.r.take_outgoing();
    REQUIRE_FALSE(out.empty());
    CHECK(std::get<ClockMsg>(out[0].second).heads.size() == 51);
    n.r.on_disconnected(1);
  }
  CHECK(n.r.stats().clocks_narrowed == 4);
  CHECK(n.r.stats().clock_authors_left_out == 0);
}

TEST_CASE("have notes batched in one tick are split to fit the message limit",
          "[replicator][clock_part]") {
  ReplicatorConfig config;
  config.max_message_bytes = 1'024;  // 14 notes a message
  Node n(config);
  std::vector<SignedEntry> firsts;
  ClockMsg theirs;
  for (std::uint8_t i = 0; i < 40; ++i) {
    const Identity id = seeded_identity(static_cast<std::uint8_t>(150 + i));
    n.carried.insert(id.public_key());
    theirs.heads.push_back({id.public_key(), 0});
    firsts.push_back(make_log(id, 1)[0]);
  }
  n.r.on_connected(1, n.clock(), 0);
  REQUIRE(n.r.on_message(1, theirs, 0));
  REQUIRE(n.r.on_message(1, PruneMsg{}, 0));  // lazy: it gets notes, not entries
  for (const auto& e : firsts) {
    REQUIRE(n.logs.offer(e) == MemoryLogs::Offer::stored);
    n.r.on_entry_stored(e, std::nullopt, 1);
  }
  n.r.take_outgoing();
  n.r.on_tick(2);
  std::size_t notes = 0;
  std::size_t messages = 0;
  for (const auto& [peer, m] : n.r.take_outgoing()) {
    const auto& have = std::get<HaveMsg>(m);
    CHECK(encode_gossip(m, GossipVersion::v3).size() <= config.max_message_bytes);
    notes += have.heads.size();
    ++messages;
  }
  CHECK(notes == 40);
  CHECK(messages == 3);
}

TEST_CASE("progress notes to a peer ahead of us are split to fit the message limit too",
          "[replicator][clock_part]") {
  ReplicatorConfig config;
  config.max_message_bytes = 1'024;  // 14 notes a message
  Node n(config);
  std::vector<SignedEntry> firsts;
  ClockMsg ahead;  // peer 1 holds 40 logs further than we do: it is catching us up
  for (std::uint8_t i = 0; i < 40; ++i) {
    const Identity id = seeded_identity(static_cast<std::uint8_t>(150 + i));
    n.carried.insert(id.public_key());
    ahead.heads.push_back({id.public_key(), 5});
    firsts.push_back(make_log(id, 1)[0]);
  }
  n.r.on_connected(1, n.clock(), 0);
  n.r.on_connected(2, n.clock(), 0);
  REQUIRE(n.r.on_message(1, ahead, 0));
  REQUIRE(n.r.on_message(2, ClockMsg{false, {}}, 0));
  n.r.take_outgoing();
  // Peer 2 delivers the first entry of each: peer 1 hears how far we got, in notes that fit.
  for (const auto& e : firsts) {
    REQUIRE(n.logs.offer(e) == MemoryLogs::Offer::stored);
    n.r.on_entry_stored(e, PeerId{2}, 1);
  }
  std::size_t notes = 0;
  std::size_t messages = 0;
  for (const auto& [peer, m] : n.r.take_outgoing()) {
    if (peer != 1) continue;
    notes += std::get<HaveMsg>(m).heads.size();
    CHECK(encode_gossip(m, GossipVersion::v3).size() <= config.max_message_bytes);
    ++messages;
  }
  CHECK(notes == 40);
  CHECK(messages == 3);
  CHECK(n.r.stats().progress_notes_sent == 40);
}

}  // namespace
}  // namespace ifex
