#include "keys/key_text.hpp"

#include <catch2/catch.hpp>

#include "keys/identity.hpp"

namespace ifex {
namespace {

PublicKey key_from_seed_byte(std::uint8_t b) {
  Bytes seed(Identity::seed_size, b);
  return Identity::from_seed(seed).public_key();
}

TEST_CASE("public key text round-trips", "[key_text]") {
  for (int i = 0; i < 20; ++i) {
    PublicKey key = Identity::generate().public_key();
    std::string text = public_key_to_text(key);
    CAPTURE(text);
    CHECK(text.rfind("ifexpk1", 0) == 0);
    CHECK(text.size() == 7 + 58);  // 36 bytes -> 58 base32 characters
    auto back = public_key_from_text(text);
    REQUIRE(back);
    CHECK(*back == key);
  }
}

TEST_CASE("public key text is stable across versions", "[key_text]") {
  // Pinned: changing it breaks every config file and every key read out over the phone.
  // Seed 00..00; the expected text was computed independently with Python's hashlib and base64.
  PublicKey key = key_from_seed_byte(0);
  REQUIRE(key.hex() == "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29");
  CHECK(public_key_to_text(key) ==
        "ifexpk1hnvcppgow2sc2yvdvdicu3ynonsteflxdxrehjr2ybekdc2z3iu4hx4ysq");
}

TEST_CASE("public key text accepts upper case and surrounding whitespace", "[key_text]") {
  PublicKey key = key_from_seed_byte(7);
  std::string text = public_key_to_text(key);
  std::string upper = text;
  for (char& c : upper)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  for (const std::string& variant :
       {upper, "  " + text + "\n", "\t" + text + "\r\n", " \n" + upper + " "}) {
    CAPTURE(variant);
    auto back = public_key_from_text(variant);
    REQUIRE(back);
    CHECK(*back == key);
  }
}

TEST_CASE("any single changed character in key text is caught", "[key_text]") {
  static constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  for (std::uint8_t seed_byte : {0, 1, 2}) {
    std::string text = public_key_to_text(key_from_seed_byte(seed_byte));
    for (std::size_t pos = 0; pos < text.size(); ++pos) {
      for (char replacement : alphabet) {
        if (replacement == text[pos]) continue;
        std::string damaged = text;
        damaged[pos] = replacement;
        CAPTURE(pos, damaged);
        auto result = public_key_from_text(damaged);
        REQUIRE_FALSE(result);
        if (pos < 7)
          CHECK(result.error().code == "wrong_prefix");
        else
          CHECK(result.error().code == "checksum_mismatch");
      }
    }
  }
}

TEST_CASE("key text errors say what is wrong", "[key_text]") {
  PublicKey key = key_from_seed_byte(3);
  std::string text = public_key_to_text(key);

  SECTION("wrong prefix") {
    auto r = public_key_from_text("ifexpk2" + text.substr(7));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "wrong_prefix");
    CHECK(r.error().message == "not an ifex public key: expected it to start with ifexpk1");
  }
  SECTION("hex is not accepted") {
    auto r = public_key_from_text(key.hex());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "wrong_prefix");
  }
  SECTION("a key of another type fails even behind the right prefix") {
    std::string other = encode_typed_key("ifexnet1", key.view());
    auto r = public_key_from_text(other);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "wrong_prefix");
    auto relabelled = public_key_from_text("ifexpk1" + other.substr(8));
    REQUIRE_FALSE(relabelled);
    CHECK(relabelled.error().code == "checksum_mismatch");
    CHECK(relabelled.error().message == "checksum mismatch: the key was mistyped or damaged");
  }
  SECTION("bad characters") {
    for (char bad : {'0', '1', '8', '9', '=', '-', ' ', '/'}) {
      std::string damaged = text;
      damaged[20] = bad;
      CAPTURE(damaged);
      auto r = public_key_from_text(damaged);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == "bad_characters");
      CHECK_THAT(r.error().message, Catch::Contains("position 21"));
    }
  }
  SECTION("wrong length") {
    for (const std::string& damaged : {text.substr(0, text.size() - 1), text + "a", text + "aa",
                                       std::string("ifexpk1"), text.substr(0, 40)}) {
      CAPTURE(damaged);
      auto r = public_key_from_text(damaged);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == "wrong_length");
    }
  }
  SECTION("empty input") {
    auto r = public_key_from_text("   ");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "wrong_prefix");
  }
}

TEST_CASE("typed keys of other lengths round-trip", "[key_text]") {
  Bytes bytes(32, 0xab);
  std::string text = encode_typed_key("ifexnet1", bytes);
  auto back = decode_typed_key("ifexnet1", text, 32, "network key");
  REQUIRE(back);
  CHECK(*back == bytes);
  auto wrong = decode_typed_key("ifexnet1", "x" + text, 32, "network key");
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().message == "not an ifex network key: expected it to start with ifexnet1");
}

TEST_CASE("fingerprints are four groups of four and stable", "[key_text]") {
  static constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  PublicKey a = key_from_seed_byte(0);
  PublicKey b = key_from_seed_byte(1);
  std::string fp = fingerprint(a);
  CAPTURE(fp);
  REQUIRE(fp.size() == 19);
  for (std::size_t i = 0; i < fp.size(); ++i) {
    if (i % 5 == 4)
      CHECK(fp[i] == '-');
    else
      CHECK(alphabet.find(fp[i]) != std::string_view::npos);
  }
  CHECK(fingerprint(a) == fp);
  CHECK(fingerprint(b) != fp);
  CHECK(fp == "l2l5-vuej-vjk5-adnn");  // pinned, computed independently
}

}  // namespace
}  // namespace ifex
