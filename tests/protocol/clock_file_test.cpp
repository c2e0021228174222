// Clock files: the published test vector, round trips, and every way a file can be damaged.
#include "protocol/clock_file.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace ifex {
namespace {

using Catch::Matchers::Contains;

template <class T>
T filled(std::uint8_t byte) {
  T out;
  out.bytes.fill(byte);
  return out;
}

// docs/protocol.md, "Clock file" (tests/vectors/reference_clock.py prints the same).
std::vector<HeldLog> vector_logs() {
  return {HeldLog{filled<PublicKey>(0x33), LogHead{0x0102030405, filled<Hash>(0xbb)}, true},
          HeldLog{filled<PublicKey>(0x11), LogHead{5, filled<Hash>(0xaa)}, false},
          HeldLog{filled<PublicKey>(0x22), LogHead{0, Hash{}}, true}};
}

constexpr const char* vector_hex =
    "49464558434c434b0103000000"
    "1111111111111111111111111111111111111111111111111111111111111111"
    "00" "0500000000000000"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "2222222222222222222222222222222222222222222222222222222222222222"
    "01" "0000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "3333333333333333333333333333333333333333333333333333333333333333"
    "01" "0504030201000000"
    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
    "94a2526805c815257f43ec0de2bd3ca8c0745218ac880170e16e6e1ce669f26a";

std::string error_code(ByteView bytes, std::uint32_t max = clock_file_max_authors) {
  auto r = decode_clock_file(bytes, max);
  REQUIRE_FALSE(r);
  return r.error().code;
}

// Rewrites the checksum after a change, so a test reaches the check it means.
Bytes reseal(Bytes file) {
  const std::size_t body = file.size() - clock_file_checksum_size;
  Hash sum = blake2b_256({ByteView(file).first(body)});
  std::copy(sum.bytes.begin(), sum.bytes.end(), file.begin() + static_cast<long>(body));
  return file;
}

TEST_CASE("a clock file matches the published vector", "[clock_file]") {
  Bytes file = encode_clock_file(vector_logs());
  CHECK(file.size() == clock_file_size(3));
  CHECK(to_hex(file) == vector_hex);
}

TEST_CASE("a clock file round-trips, sorted by author", "[clock_file]") {
  auto logs = decode_clock_file(encode_clock_file(vector_logs()));
  REQUIRE(logs);
  REQUIRE(logs->size() == 3);
  CHECK((*logs)[0] == vector_logs()[1]);
  CHECK((*logs)[1] == vector_logs()[2]);
  CHECK((*logs)[2] == vector_logs()[0]);
  auto empty = decode_clock_file(encode_clock_file({}));
  REQUIRE(empty);
  CHECK(empty->empty());
  CHECK(encode_clock_file({}).size() == clock_file_size(0));
}

TEST_CASE("a clock file cut at any offset says it was cut short", "[clock_file]") {
  Bytes file = encode_clock_file(vector_logs());
  for (std::size_t n = 1; n < file.size(); ++n) {
    INFO("cut at " << n);
    CHECK(error_code(ByteView(file).first(n)) == "truncated");
  }
  CHECK(error_code(ByteView()) == "not_a_clock");
}

TEST_CASE("damaged clock files are refused with a reason", "[clock_file]") {
  const Bytes good = encode_clock_file(vector_logs());
  SECTION("bad magic") {
    Bytes f = good;
    f[0] = 'X';
    CHECK(error_code(f) == "not_a_clock");
    CHECK(error_code(as_bytes("IFEXBNDL\x01")) == "not_a_clock");  // a bundle is no clock
  }
  SECTION("another version") {
    Bytes f = good;
    f[8] = 2;
    auto r = decode_clock_file(f);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "unknown_version");
    CHECK_THAT(r.error().message, Contains("version 2"));
  }
  SECTION("a count over the limit, refused before anything is read") {
    Bytes f = good;
    f[9] = f[10] = f[11] = f[12] = 0xff;
    auto r = decode_clock_file(f);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "too_large");
    CHECK_THAT(r.error().message, Contains("4294967295"));
    CHECK(error_code(good, 2) == "too_large");
    CHECK(decode_clock_file(good, 3));
  }
  SECTION("a count above the records held") {
    Bytes f = good;
    f[9] = 4;
    CHECK(error_code(f) == "truncated");
  }
  SECTION("bytes after the checksum") {
    Bytes f = good;
    f.push_back(0);
    CHECK(error_code(f) == "trailing_bytes");
  }
  SECTION("any flipped bit breaks the checksum") {
    for (std::size_t i = clock_file_header_size; i < good.size(); ++i) {
      Bytes f = good;
      f[i] ^= 0x10;
      INFO("byte " << i);
      CHECK(error_code(f) == "bad_checksum");
    }
  }
  SECTION("an unknown flag") {
    Bytes f = good;
    f[clock_file_header_size + 32] = 0x02;
    CHECK(error_code(reseal(f)) == "bad_record");
  }
  SECTION("a head id at seq 0") {
    Bytes f = good;  // the second record (author 0x22) has seq 0
    f[clock_file_header_size + clock_file_record_size + 41] = 0x01;
    CHECK(error_code(reseal(f)) == "bad_record");
  }
  SECTION("authors out of order or repeated") {
    Bytes f = good;
    std::fill_n(f.begin() + clock_file_header_size + clock_file_record_size, 32, 0x11);
    auto r = decode_clock_file(reseal(f));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "bad_record");
    CHECK_THAT(r.error().message, Contains("clock record 2"));
  }
}

}  // namespace
}  // namespace ifex
