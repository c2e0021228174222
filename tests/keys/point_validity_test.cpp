// Public keys that no Ed25519 key pair has: refused where a key is about to be trusted
// (is_usable_public_key, member_key_from_text), and refused by the X25519 conversion the
// handshake uses. The mixed-order case checks that the libsodium we link carries the fix of
// CVE-2025-69277 (docs/keys.md, "Keys no key pair has").
#include <sodium.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "keys/identity.hpp"
#include "keys/key_text.hpp"

namespace ifex {
namespace {

PublicKey key_of_hex(std::string_view hex) {
  auto key = PublicKey::from_hex(hex);
  REQUIRE(key);
  return *key;
}

// The eight points of small order (the torsion subgroup), in their canonical encodings, and
// non-canonical encodings of two of them (y = p and y = p + 1, i.e. 0 and 1 again).
const std::vector<std::string> small_order_hex = {
    "0100000000000000000000000000000000000000000000000000000000000000",  // identity, order 1
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // (0, -1), order 2
    "0000000000000000000000000000000000000000000000000000000000000000",  // order 4
    "0000000000000000000000000000000000000000000000000000000000000080",  // order 4
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  // order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  // order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  // order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  // order 8
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // y = p (non-canonical)
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // y = p + 1
};

PublicKey add(const PublicKey& p, const PublicKey& q) {
  PublicKey r;
  REQUIRE(crypto_core_ed25519_add(r.data(), p.data(), q.data()) == 0);  // both on the curve
  return r;
}

// [n]p by double-and-add with crypto_core_ed25519_add, which checks only that its inputs are on
// the curve (not their subgroup), so it can multiply the points the subgroup check refuses.
PublicKey times(const PublicKey& p, const std::array<std::uint8_t, 32>& n_le) {
  PublicKey acc = key_of_hex(small_order_hex[0]);  // identity
  for (int bit = 255; bit >= 0; --bit) {
    acc = add(acc, acc);
    if ((n_le[static_cast<std::size_t>(bit / 8)] >> (bit % 8)) & 1) acc = add(acc, p);
  }
  return acc;
}

// The order of the prime-order subgroup, L = 2^252 + 27742317777372353535851937790883648493,
// little-endian.
const std::array<std::uint8_t, 32> group_order = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

}  // namespace

TEST_CASE("real keys are usable", "[keys][point]") {
  for (int i = 0; i < 32; ++i) {
    Identity id = Identity::generate();
    REQUIRE(is_usable_public_key(id.public_key()));
    REQUIRE(member_key_from_text(public_key_to_text(id.public_key())));
  }
}

TEST_CASE("small-order and non-canonical points are refused", "[keys][point]") {
  for (const auto& hex : small_order_hex) {
    INFO(hex);
    const PublicKey key = key_of_hex(hex);
    CHECK_FALSE(is_usable_public_key(key));
    CHECK_FALSE(x25519_public_of(key));
    // Its text form is well made (the checksum is right), so only the point check catches it.
    const std::string text = public_key_to_text(key);
    REQUIRE(public_key_from_text(text));
    auto member = member_key_from_text(text);
    REQUIRE_FALSE(member);
    CHECK(member.error().code == "unusable_key");
    CHECK(member.error().message.find("small-order") != std::string::npos);
  }
  // Bytes that are no point at all (no x for this y).
  PublicKey junk = key_of_hex("0200000000000000000000000000000000000000000000000000000000000000");
  CHECK_FALSE(is_usable_public_key(junk));
}

// CVE-2025-69277: libsodium's subgroup check computed [L]P and looked only at its X coordinate,
// so a real key plus the point (0, -1) of order 2 passed ([L]P = (0, -1), X = 0). Debian's
// 1.0.18-1+deb12u1 carries the fix (it also checks Y = Z); an unpatched library fails here.
TEST_CASE("a real key plus a small-order point is refused (libsodium has the CVE-2025-69277 fix)",
          "[keys][point][cve]") {
  const PublicKey real = Identity::generate().public_key();
  const PublicKey order2 = key_of_hex(small_order_hex[1]);
  const PublicKey mixed = add(real, order2);
  REQUIRE(mixed != real);
  // What makes it exactly the case the bug let through: on the curve (add takes it), of no small
  // order ([8]mixed = [8]real, not the identity), and [L]mixed is (0, -1), whose X is 0.
  CHECK(add(mixed, order2) == real);
  const std::array<std::uint8_t, 32> eight = {8};
  CHECK(times(mixed, eight) == times(real, eight));
  CHECK(times(real, eight) != key_of_hex(small_order_hex[0]));
  CHECK(times(real, group_order) == key_of_hex(small_order_hex[0]));
  CHECK(times(mixed, group_order) == order2);

  CHECK(crypto_core_ed25519_is_valid_point(mixed.data()) == 0);
  CHECK_FALSE(is_usable_public_key(mixed));
  // The handshake converts long-term keys with crypto_sign_ed25519_pk_to_curve25519, whose
  // subgroup check the same fix corrected.
  CHECK_FALSE(x25519_public_of(mixed));
  auto member = member_key_from_text(public_key_to_text(mixed));
  REQUIRE_FALSE(member);
  CHECK(member.error().code == "unusable_key");

  // What the node checks at start-up (it warns when this is false).
  CHECK(sodium_refuses_mixed_order_keys());

  // Components of order 4 and 8 were refused before the fix too: [L] leaves them with X != 0.
  for (std::size_t i = 2; i < 8; ++i) {
    INFO(small_order_hex[i]);
    const PublicKey other = add(real, key_of_hex(small_order_hex[i]));
    CHECK_FALSE(is_usable_public_key(other));
    CHECK_FALSE(x25519_public_of(other));
  }
}

}  // namespace ifex
