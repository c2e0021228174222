// Bundles: framing of entries and fork proofs in a file, and every way a file can be damaged.
#include "protocol/bundle.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "protocol/log_rules.hpp"
#include "tests/protocol/protocol_fixtures.hpp"

namespace ifex {
namespace {

using Catch::Matchers::Contains;

constexpr std::size_t max_record = 1024;

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

struct Sample {
  std::vector<Bytes> bodies;
  std::vector<BundleRecordType> types;
  Bytes file;
};

// Two entries and a fork proof, as an exporter writes them.
Sample sample_bundle() {
  Identity id = test::seeded_identity(60);
  auto log = test::make_log(id, 2);
  SignedEntry twin = test::make_entry(id, 2, log[0].id(), Bytes{'t'});
  auto proof = make_fork_proof(log[1], twin);
  REQUIRE(proof);
  Sample s;
  s.bodies = {log[0].bytes(), log[1].bytes(), encode_fork_proof(*proof)};
  s.types = {BundleRecordType::entry, BundleRecordType::entry, BundleRecordType::fork_proof};
  s.file = bundle_header();
  for (std::size_t i = 0; i < s.bodies.size(); ++i) {
    Bytes record = bundle_record(s.types[i], s.bodies[i]);
    s.file.insert(s.file.end(), record.begin(), record.end());
  }
  Bytes trailer = bundle_trailer(s.bodies.size());
  s.file.insert(s.file.end(), trailer.begin(), trailer.end());
  return s;
}

// Reads to the end; returns the records read and "" for a clean end, or the error code.
std::pair<std::size_t, std::string> read_all(ByteView input, std::size_t limit = max_record) {
  BundleReader reader(input, limit);
  std::size_t records = 0;
  for (;;) {
    auto r = reader.next();
    if (!r) return {records, r.error().code};
    if (!r->has_value()) return {records, ""};
    ++records;
  }
}

TEST_CASE("a bundle round-trips its records", "[bundle]") {
  Sample s = sample_bundle();
  CHECK(std::string(s.file.begin(), s.file.begin() + 8) == "IFEXBNDL");
  CHECK(s.file[8] == bundle_version);
  BundleReader reader(s.file, max_record);
  std::size_t offset = bundle_header_size;
  for (std::size_t i = 0; i < s.bodies.size(); ++i) {
    auto r = reader.next();
    REQUIRE(r);
    REQUIRE(r->has_value());
    const BundleRecord& record = **r;
    CHECK(record.type == s.types[i]);
    CHECK(Bytes(record.body.begin(), record.body.end()) == s.bodies[i]);
    CHECK(record.offset == offset);
    offset += bundle_record_header_size + s.bodies[i].size();
  }
  CHECK(reader.records_read() == 3);
  auto end = reader.next();
  REQUIRE(end);
  CHECK_FALSE(end->has_value());
  auto again = reader.next();  // stays at the end
  REQUIRE(again);
  CHECK_FALSE(again->has_value());

  // The bodies are what was framed: entries and proofs decode again.
  BundleReader second(s.file, max_record);
  CHECK(decode_entry((*second.next())->body, EntryLimits{}));
  CHECK(decode_entry((*second.next())->body, EntryLimits{}));
  CHECK(decode_fork_proof((*second.next())->body, EntryLimits{}));

  // An empty bundle is a header and an end record counting zero.
  CHECK(read_all(concat({bundle_header(), bundle_trailer(0)})) ==
        std::pair<std::size_t, std::string>{0, ""});
  // Record layout: type, u32 little-endian length, body.
  CHECK(to_hex(bundle_record(BundleRecordType::entry, Bytes{0xaa, 0xbb})) == "0102000000aabb");
  CHECK(to_hex(bundle_trailer(0x0102)) == "00080000000201000000000000");
}

TEST_CASE("a bundle cut at any offset reports truncation", "[bundle]") {
  Sample s = sample_bundle();
  std::vector<std::string> wrong;
  for (std::size_t len = 0; len < s.file.size(); ++len) {
    auto [records, code] = read_all(ByteView(s.file).first(len));
    if (code != "truncated") wrong.push_back(std::to_string(len) + ":" + code);
  }
  INFO("offsets not reported as truncated: " << wrong.size());
  for (const auto& w : wrong) UNSCOPED_INFO(w);
  CHECK(wrong.empty());
  CHECK(read_all(s.file) == std::pair<std::size_t, std::string>{3, ""});  // only the whole file
}

TEST_CASE("damaged bundles are refused with a reason", "[bundle]") {
  Sample s = sample_bundle();
  auto code_of = [](const Bytes& b, std::size_t limit = max_record) {
    return read_all(b, limit).second;
  };

  SECTION("bad magic") {
    Bytes b = s.file;
    b[7] = 'X';
    CHECK(code_of(b) == "not_a_bundle");
    CHECK(code_of(Bytes{'h', 'e', 'l', 'l', 'o'}) == "not_a_bundle");
    CHECK(code_of(Bytes(100, 0)) == "not_a_bundle");
  }
  SECTION("unknown version") {
    Bytes b = s.file;
    b[8] = 2;
    CHECK(code_of(b) == "unknown_version");
  }
  SECTION("unknown record type") {
    for (std::uint8_t type : {3, 0x80, 0xff}) {
      Bytes b = s.file;
      b[bundle_header_size] = type;
      CHECK(code_of(b) == "bad_record");
    }
  }
  SECTION("a record over the size limit") {
    CHECK(code_of(s.file, s.bodies[0].size() - 1) == "too_large");
    // A hostile length is refused before anything is read or allocated.
    Bytes b = concat({bundle_header(), Bytes{1, 0xff, 0xff, 0xff, 0xff}});
    CHECK(code_of(b) == "too_large");
  }
  SECTION("count mismatch") {
    for (std::uint64_t declared : {0, 2, 4, 1000}) {
      Bytes b(s.file.begin(), s.file.end() - 13);
      Bytes trailer = bundle_trailer(declared);
      b.insert(b.end(), trailer.begin(), trailer.end());
      CHECK(code_of(b) == "count_mismatch");
    }
  }
  SECTION("an end record of the wrong size") {
    Bytes b = concat({bundle_header(), bundle_record(BundleRecordType::end, Bytes(4, 0))});
    CHECK(code_of(b) == "bad_record");
  }
  SECTION("bytes after the end record") {
    for (std::size_t extra : {1, 5, 100}) {
      Bytes b = s.file;
      b.insert(b.end(), extra, 0);
      CHECK(code_of(b) == "trailing_bytes");
    }
    Bytes two_ends = concat({bundle_header(), bundle_trailer(0), bundle_trailer(0)});
    CHECK(code_of(two_ends) == "trailing_bytes");
  }
}

TEST_CASE("a bundle reader repeats its error and says where", "[bundle]") {
  Sample s = sample_bundle();
  Bytes b = s.file;
  const std::size_t second_record =
      bundle_header_size + bundle_record_header_size + s.bodies[0].size();
  b[second_record] = 9;
  BundleReader reader(b, max_record);
  REQUIRE(reader.next());
  auto error = reader.next();
  REQUIRE_FALSE(error);
  CHECK(error.error().code == "bad_record");
  CHECK_THAT(error.error().message, Contains("at byte " + std::to_string(second_record)));
  auto again = reader.next();
  REQUIRE_FALSE(again);
  CHECK(again.error().message == error.error().message);
  CHECK(reader.records_read() == 1);
}

}  // namespace
}  // namespace ifex
