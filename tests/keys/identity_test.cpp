#include "keys/identity.hpp"

#include <catch2/catch.hpp>

namespace ifex {
namespace {

TEST_CASE("identity matches RFC 8032 test 1 with an empty domain", "[identity]") {
  // Signing is plain Ed25519 over domain || message, so an empty domain gives the RFC's vector.
  auto seed = from_hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  REQUIRE(seed);
  Identity id = Identity::from_seed(*seed);
  CHECK(id.public_key().hex() ==
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  Signature sig = id.sign("", {});
  CHECK(sig.hex() ==
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3970"
        "1cf9b46bd25bf5f0595bbe24655141438e7a100b");
  CHECK(verify_signature(id.public_key(), "", {}, sig));
  CHECK(Bytes(id.seed().begin(), id.seed().end()) == *seed);
}

TEST_CASE("identity matches RFC 8032 test 2 with an empty domain", "[identity]") {
  auto seed = from_hex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
  REQUIRE(seed);
  Identity id = Identity::from_seed(*seed);
  CHECK(id.public_key().hex() ==
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
  const std::uint8_t message[] = {0x72};
  Signature sig = id.sign("", message);
  CHECK(sig.hex() ==
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613"
        "d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
  CHECK(verify_signature(id.public_key(), "", message, sig));
}

TEST_CASE("signatures verify only for the same key, domain and message", "[identity]") {
  Identity id = Identity::generate();
  Identity other = Identity::generate();
  REQUIRE(id.public_key() != other.public_key());
  const std::string_view domain = "ifex-test-v1";
  const std::string_view message = "journalist detained in city X";
  Signature sig = id.sign(domain, as_bytes(message));

  CHECK(verify_signature(id.public_key(), domain, as_bytes(message), sig));
  CHECK_FALSE(verify_signature(id.public_key(), "ifex-test-v2", as_bytes(message), sig));
  CHECK_FALSE(
      verify_signature(id.public_key(), domain, as_bytes("journalist detained in city Y"), sig));
  CHECK_FALSE(verify_signature(other.public_key(), domain, as_bytes(message), sig));
  // A signature made under a domain is not a bare signature of the message.
  CHECK_FALSE(verify_signature(id.public_key(), "", as_bytes(message), sig));

  for (std::size_t i = 0; i < Signature::size; ++i) {
    for (std::uint8_t bit : {0x01, 0x80}) {
      Signature damaged = sig;
      damaged.bytes[i] ^= bit;
      CAPTURE(i, bit);
      CHECK_FALSE(verify_signature(id.public_key(), domain, as_bytes(message), damaged));
    }
  }
}

TEST_CASE("from_seed is deterministic and generate is not", "[identity]") {
  Identity a = Identity::generate();
  Identity b = Identity::from_seed(a.seed());
  CHECK(a.public_key() == b.public_key());
  CHECK(a.sign("d", as_bytes("m")) == b.sign("d", as_bytes("m")));  // Ed25519 is deterministic
  CHECK(Identity::generate().public_key() != a.public_key());
  CHECK_THROWS_AS(Identity::from_seed(Bytes(31)), std::invalid_argument);
}

}  // namespace
}  // namespace ifex
