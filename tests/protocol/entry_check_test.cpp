// The kind table and the one entry check every ingest path calls (protocol/entry_check.hpp).
#include "protocol/entry_check.hpp"

#include <catch2/catch.hpp>

#include "protocol/alert.hpp"
#include "tests/protocol/protocol_fixtures.hpp"

namespace ifex {
namespace {

using test::make_entry;
using test::sample_alert;
using test::seeded_identity;

constexpr std::size_t kind_at = 82;  // docs/protocol.md, "Entry"
constexpr std::uint64_t hour_ms = 3'600'000;

// Resigns an encoding whose kind field was overwritten, so the check reaches the kind rule.
Bytes with_kind(const Identity& id, const SignedEntry& e, std::uint16_t kind) {
  Bytes b(e.bytes().begin(), e.bytes().end() - Signature::size);
  b[kind_at] = static_cast<std::uint8_t>(kind);
  b[kind_at + 1] = static_cast<std::uint8_t>(kind >> 8);
  Signature s = id.sign(entry_signature_domain, b);
  b.insert(b.end(), s.bytes.begin(), s.bytes.end());
  return b;
}

EntryCheckPolicy no_clock() {
  return {EntryLimits{}, std::nullopt};
}

TEST_CASE("the kind table lists every kind of docs/protocol.md once, in value order", "[kinds]") {
  auto rows = entry_kinds();
  REQUIRE(rows.size() == 6);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(static_cast<std::uint16_t>(rows[i].kind) == i + 1);
    CHECK(find_entry_kind(static_cast<std::uint16_t>(i + 1)) == &rows[i]);
    CHECK(&entry_kind(rows[i].kind) == &rows[i]);
    CHECK(kind_name(rows[i].kind) == rows[i].name);
  }
  const EntryKindRow& alert = entry_kind(EntryKind::alert);
  CHECK(alert.name == "alert");
  CHECK(alert.interpreted);
  CHECK(alert.listed);
  CHECK(alert.validate_payload != nullptr);
  for (EntryKind reserved :
       {EntryKind::update, EntryKind::retract, EntryKind::endorse, EntryKind::key}) {
    const EntryKindRow& row = entry_kind(reserved);
    CHECK_FALSE(row.interpreted);
    CHECK_FALSE(row.listed);
    CHECK(row.validate_payload == nullptr);
  }
  // Read by the roster rule, yet carried whatever its payload (a later format stays chained).
  const EntryKindRow& roster = entry_kind(EntryKind::roster);
  CHECK(roster.interpreted);
  CHECK_FALSE(roster.listed);
  CHECK(roster.validate_payload == nullptr);
  for (std::uint16_t outside : {0, 7, 8, 255, 256, 65535})
    CHECK(find_entry_kind(outside) == nullptr);
  CHECK_THROWS_AS(entry_kind(static_cast<EntryKind>(7)), std::invalid_argument);
}

TEST_CASE("the alert row validates the alert payload", "[kinds]") {
  auto validate = entry_kind(EntryKind::alert).validate_payload;
  CHECK(validate(encode_alert(sample_alert())));
  auto bad = validate(Bytes{'n', 'o', 't'});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == decode_alert(Bytes{'n', 'o', 't'}).error().code);
}

TEST_CASE("check_entry accepts an alert and every reserved kind with any payload", "[check]") {
  Identity id = seeded_identity(21);
  SECTION("an alert") {
    SignedEntry e = make_entry(id, 1, Hash{}, encode_alert(sample_alert()));
    EntryCheck c = check_entry(e.bytes(), no_clock());
    REQUIRE(c.accepted());
    CHECK(c.entry->bytes() == e.bytes());
    CHECK(c.kind == &entry_kind(EntryKind::alert));
    CHECK_FALSE(c.error);
  }
  SECTION("reserved kinds: opaque payloads, empty or not, even one that is not an alert") {
    for (std::uint16_t v = 2; v <= 6; ++v) {
      for (Bytes payload : {Bytes{}, Bytes{'o', 'p', 'a', 'q', 'u', 'e'}, Bytes(1000, 0xff)}) {
        SignedEntry e = make_entry(id, 1, Hash{}, payload, static_cast<EntryKind>(v));
        EntryCheck c = check_entry(e.bytes(), no_clock());
        REQUIRE(c.accepted());
        CHECK(c.entry->kind() == static_cast<EntryKind>(v));
        CHECK(c.entry->payload() == payload);
        CHECK(c.kind == find_entry_kind(v));
      }
    }
  }
}

TEST_CASE("check_entry refuses what is not a valid entry, naming it when it can", "[check]") {
  Identity id = seeded_identity(22);
  SECTION("an alert whose payload does not decode: invalid, the entry still named") {
    SignedEntry e = make_entry(id, 1, Hash{}, Bytes{'x'}, EntryKind::alert);
    EntryCheck c = check_entry(e.bytes(), no_clock());
    CHECK(c.verdict == EntryVerdict::invalid);
    REQUIRE(c.entry);
    CHECK(c.entry->id() == e.id());
    REQUIRE(c.error);
    CHECK(c.error->code == decode_alert(Bytes{'x'}).error().code);
  }
  SECTION("a kind outside the table, even validly signed: unknown_kind, as today") {
    SignedEntry e = make_entry(id, 1, Hash{}, Bytes{'x'}, EntryKind::update);
    for (std::uint16_t outside : {0, 7, 65535}) {
      EntryCheck c = check_entry(with_kind(id, e, outside), no_clock());
      CHECK(c.verdict == EntryVerdict::invalid);
      CHECK_FALSE(c.entry);
      CHECK(c.kind == nullptr);
      REQUIRE(c.error);
      CHECK(c.error->code == "unknown_kind");
    }
  }
  SECTION("a reserved kind with a broken signature") {
    SignedEntry e = make_entry(id, 1, Hash{}, Bytes{'x'}, EntryKind::retract);
    Bytes b = e.bytes();
    b.back() ^= 1;
    EntryCheck c = check_entry(b, no_clock());
    CHECK(c.verdict == EntryVerdict::invalid);
    CHECK_FALSE(c.entry);
    CHECK(c.error->code == "bad_signature");
  }
  SECTION("an entry larger than the limit") {
    SignedEntry e = make_entry(id, 1, Hash{}, Bytes(2000, 1), EntryKind::endorse);
    EntryCheckPolicy small{EntryLimits{1000}, std::nullopt};
    EntryCheck c = check_entry(e.bytes(), small);
    CHECK(c.verdict == EntryVerdict::invalid);
    CHECK_FALSE(c.entry);
  }
}

TEST_CASE("check_entry applies the clock policy it is handed, and only then", "[check][clock]") {
  Identity id = seeded_identity(23);
  // created_ms = 1,700,000,000,000 + seq
  for (EntryKind kind : {EntryKind::alert, EntryKind::key}) {
    Bytes payload = kind == EntryKind::alert ? encode_alert(sample_alert()) : Bytes{'k'};
    SignedEntry e = make_entry(id, 1, Hash{}, payload, kind);
    const std::uint64_t created = e.created_ms();
    auto at = [&](std::uint64_t now) {
      return check_entry(e.bytes(), {EntryLimits{}, ClockPolicy{now, hour_ms}});
    };
    CHECK(at(created).accepted());
    CHECK(at(created - hour_ms).accepted());
    EntryCheck ahead = at(created - hour_ms - 1);
    CHECK(ahead.verdict == EntryVerdict::in_future);
    REQUIRE(ahead.entry);
    CHECK(ahead.error->code == "created_in_future");
    CHECK(check_entry(e.bytes(), {EntryLimits{}, ClockPolicy{0, 0}}).verdict ==
          EntryVerdict::in_future);
    CHECK(check_entry(e.bytes(), no_clock()).accepted());
  }
  SECTION("an invalid payload is reported before the date") {
    SignedEntry e = make_entry(id, 1, Hash{}, Bytes{'x'}, EntryKind::alert);
    CHECK(check_entry(e.bytes(), {EntryLimits{}, ClockPolicy{0, 0}}).verdict ==
          EntryVerdict::invalid);
  }
}

}  // namespace
}  // namespace ifex
