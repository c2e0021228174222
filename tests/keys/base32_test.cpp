#include "keys/base32.hpp"

#include <sodium.h>

#include <catch2/catch.hpp>

#include "keys/identity.hpp"

namespace ifex {
namespace {

TEST_CASE("base32 matches the RFC 4648 vectors, lowercased and unpadded", "[base32]") {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},
      {"f", "my"},
      {"fo", "mzxq"},
      {"foo", "mzxw6"},
      {"foob", "mzxw6yq"},
      {"fooba", "mzxw6ytb"},
      {"foobar", "mzxw6ytboi"},
  };
  for (auto [plain, encoded] : vectors) {
    CAPTURE(plain);
    CHECK(base32_encode(as_bytes(plain)) == encoded);
    auto decoded = base32_decode(encoded);
    REQUIRE(decoded);
    CHECK(as_chars(*decoded) == plain);
  }
}

TEST_CASE("base32 decode accepts either case", "[base32]") {
  auto upper = base32_decode("MZXW6YTBOI");
  auto mixed = base32_decode("mZxW6yTbOi");
  REQUIRE(upper);
  REQUIRE(mixed);
  CHECK(as_chars(*upper) == "foobar");
  CHECK(as_chars(*mixed) == "foobar");
}

TEST_CASE("base32 decode rejects foreign characters, padding and impossible lengths", "[base32]") {
  for (std::string_view bad : {"my======", "m0", "m1", "m8", "m9", "my ", " my", "m-", "mz\n", "m",
                               "mzx", "mzxw6y", "mzxw6ytbo"}) {
    CAPTURE(bad);
    CHECK_FALSE(base32_decode(bad));
  }
  CHECK_FALSE(base32_decode(std::string_view("m\0", 2)));
}

TEST_CASE("base32 has exactly one text form per byte string", "[base32]") {
  // "my" is "f"; "mz" carries a set bit in the unused tail and must not decode to "f" again.
  CHECK_FALSE(base32_decode("mz"));
  static constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  // Every two- and four-character string either fails or re-encodes to itself.
  int accepted = 0;
  for (char a : alphabet)
    for (char b : alphabet) {
      std::string two{a, b};
      if (auto d = base32_decode(two)) {
        ++accepted;
        CHECK(base32_encode(*d) == two);
      }
      std::string four{'q', 'q', a, b};
      if (auto d = base32_decode(four)) CHECK(base32_encode(*d) == four);
    }
  CHECK(accepted == 256);  // one spelling for each byte
}

TEST_CASE("base32 round-trips random byte strings of every length up to 200", "[base32]") {
  init_crypto();
  for (std::size_t len = 0; len <= 200; ++len) {
    Bytes data(len);
    if (len > 0) randombytes_buf(data.data(), data.size());  // data() may be null when empty
    std::string text = base32_encode(data);
    CAPTURE(len, text);
    CHECK(text.size() == (len * 8 + 4) / 5);
    auto back = base32_decode(text);
    REQUIRE(back);
    CHECK(*back == data);
  }
}

}  // namespace
}  // namespace ifex
