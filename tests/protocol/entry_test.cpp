// Entries: the published test vectors (docs/protocol.md, made by tests/vectors/reference_entry.py),
// signing and strict decoding, and the rejection of every mutation a relay could make.
#include "protocol/entry.hpp"

#include <catch2/catch.hpp>

#include <limits>
#include <random>

#include "protocol/alert.hpp"
#include "protocol/log_rules.hpp"
#include "tests/protocol/protocol_fixtures.hpp"

namespace ifex {
namespace {

using test::hex_bytes;
using test::make_entry;
using test::seeded_identity;

// Offsets of the entry fields (docs/protocol.md, "Entry").
constexpr std::size_t version_at = 1;
constexpr std::size_t author_at = 2;
constexpr std::size_t seq_at = 34;
constexpr std::size_t prev_at = 42;
constexpr std::size_t kind_at = 82;
constexpr std::size_t payload_len_at = 84;
constexpr std::size_t payload_at = 92;

// --- the published vectors (copied from the output of reference_entry.py) ----------------------

constexpr std::string_view vector_public_key =
    "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";

constexpr std::string_view vector_1_payload =
    "0101020000000000000066722600000000000000556e206a6f75726e616c697374652064c3a974656e7520c3"
    "a0204578656d706c6576696c6c654f00000000000000566563746575722064652074657374203a20616c6572"
    "746520666963746976652c207075626c69c3a96520706f75722076c3a9726966696572206c657320696d706c"
    "c3a96d656e746174696f6e732e51000000000000005072656d69c3a87265206c69676e6520647520636f7270"
    "732e0a4465757869c3a86d65206c69676e65203a20c2ab206775696c6c656d65747320c2bb20657420616363"
    "656e747320c3a9c3a8c3a0c3a72e01000000000000000200000000000000656e240000000000000041206a6f"
    "75726e616c6973742064657461696e656420696e204578616d706c65746f776e430000000000000054657374"
    "20766563746f723a20612066696374696f6e616c20616c6572742c207075626c697368656420746f20636865"
    "636b20696d706c656d656e746174696f6e732e24000000000000004669727374206c696e65206f6620746865"
    "20626f64792e0a5365636f6e64206c696e652e02000000000000004652020000000000000009000000000000"
    "00646574656e74696f6e0d0000000000000070726573732d66726565646f6d0a00000000000000323032332d"
    "31312d313402000000000000001d0000000000000068747470733a2f2f6578616d706c652e6f72672f616c65"
    "727465732f311800000000000000687474703a2f2f6578616d706c652e6e65742f613f623d63010000000000"
    "00000f00000000000000766563746575722d64652d746573740000000000000000";
constexpr std::string_view vector_1_entry =
    "010103a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b801000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000068e5cf8b01000001005d020000"
    "000000000101020000000000000066722600000000000000556e206a6f75726e616c697374652064c3a97465"
    "6e7520c3a0204578656d706c6576696c6c654f00000000000000566563746575722064652074657374203a20"
    "616c6572746520666963746976652c207075626c69c3a96520706f75722076c3a9726966696572206c657320"
    "696d706cc3a96d656e746174696f6e732e51000000000000005072656d69c3a87265206c69676e6520647520"
    "636f7270732e0a4465757869c3a86d65206c69676e65203a20c2ab206775696c6c656d65747320c2bb206574"
    "20616363656e747320c3a9c3a8c3a0c3a72e01000000000000000200000000000000656e2400000000000000"
    "41206a6f75726e616c6973742064657461696e656420696e204578616d706c65746f776e4300000000000000"
    "5465737420766563746f723a20612066696374696f6e616c20616c6572742c207075626c697368656420746f"
    "20636865636b20696d706c656d656e746174696f6e732e24000000000000004669727374206c696e65206f66"
    "2074686520626f64792e0a5365636f6e64206c696e652e020000000000000046520200000000000000090000"
    "0000000000646574656e74696f6e0d0000000000000070726573732d66726565646f6d0a0000000000000032"
    "3032332d31312d313402000000000000001d0000000000000068747470733a2f2f6578616d706c652e6f7267"
    "2f616c65727465732f311800000000000000687474703a2f2f6578616d706c652e6e65742f613f623d630100"
    "0000000000000f00000000000000766563746575722d64652d746573740000000000000000d7406fa1dacc95"
    "2904915d4c2e4421dfedb99b7cfd5ac4593923c402ba0f5e297ae9b978ab0d44693e0f011d40b1631f7ff6d0"
    "610ad7a4910826b00565e08e05";
constexpr std::string_view vector_1_signature =
    "d7406fa1dacc952904915d4c2e4421dfedb99b7cfd5ac4593923c402ba0f5e297ae9b978ab0d44693e0f011d"
    "40b1631f7ff6d0610ad7a4910826b00565e08e05";
constexpr std::string_view vector_1_id =
    "47b3d10085f4bc866ba9cf2ed7a721e863bb048c80bc02227aa62a7de680684e";

constexpr std::string_view vector_2_payload =
    "0101020000000000000061723000000000000000d8b5d8add981d98a20d985d8add8aad8acd8b220d981d98a"
    "20d985d8afd98ad986d8a920d8a7d984d985d8abd8a7d9843c00000000000000d985d8aad8acd98720d8a7d8"
    "aed8aad8a8d8a7d8b13a20d8aad986d8a8d98ad98720d8aed98ad8a7d984d98a20d985d986d8b02032303234"
    "e2808f2e3f00000000000000d8a7d984d8b3d8b7d8b120d8a7d984d8a3d988d9842e0ad8a7d984d8b3d8b7d8"
    "b120d8a7d984d8abd8a7d986d98ae2808dd985d8b920d988d8b5d984d8a92e02000000000000000200000000"
    "000000656e250000000000000041206a6f75726e616c6973742064657461696e656420696e204578616d706c"
    "6520436974791f000000000000005465737420766563746f723a20612066696374696f6e616c20616c657274"
    "2e0000000000000000020000000000000066722700000000000000556e206a6f75726e616c697374652064c3"
    "a974656e7520c3a02056696c6c652d4578656d706c6521000000000000005665637465757220646520746573"
    "74203a20616c6572746520666963746976652e000000000000000002000000000000004a4f01000000000000"
    "00140000000000000061747461636b2d6f6e2d6a6f75726e616c6973740a00000000000000323032342d3032"
    "2d32390100000000000000180000000000000068747470733a2f2f6578616d706c652e6f72672f61722f3202"
    "0000000000000006000000000000006172616269630b00000000000000746573742d766563746f720e000000"
    "00000000494645582d544553542d30303032";
constexpr std::string_view vector_2_entry =
    "010103a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8020000000000000047b3"
    "d10085f4bc866ba9cf2ed7a721e863bb048c80bc02227aa62a7de680684e6052e6cf8b01000001004e020000"
    "000000000101020000000000000061723000000000000000d8b5d8add981d98a20d985d8add8aad8acd8b220"
    "d981d98a20d985d8afd98ad986d8a920d8a7d984d985d8abd8a7d9843c00000000000000d985d8aad8acd987"
    "20d8a7d8aed8aad8a8d8a7d8b13a20d8aad986d8a8d98ad98720d8aed98ad8a7d984d98a20d985d986d8b020"
    "32303234e2808f2e3f00000000000000d8a7d984d8b3d8b7d8b120d8a7d984d8a3d988d9842e0ad8a7d984d8"
    "b3d8b7d8b120d8a7d984d8abd8a7d986d98ae2808dd985d8b920d988d8b5d984d8a92e020000000000000002"
    "00000000000000656e250000000000000041206a6f75726e616c6973742064657461696e656420696e204578"
    "616d706c6520436974791f000000000000005465737420766563746f723a20612066696374696f6e616c2061"
    "6c6572742e0000000000000000020000000000000066722700000000000000556e206a6f75726e616c697374"
    "652064c3a974656e7520c3a02056696c6c652d4578656d706c65210000000000000056656374657572206465"
    "2074657374203a20616c6572746520666963746976652e000000000000000002000000000000004a4f010000"
    "0000000000140000000000000061747461636b2d6f6e2d6a6f75726e616c6973740a00000000000000323032"
    "342d30322d32390100000000000000180000000000000068747470733a2f2f6578616d706c652e6f72672f61"
    "722f32020000000000000006000000000000006172616269630b00000000000000746573742d766563746f72"
    "0e00000000000000494645582d544553542d30303032ae773a17ab866df244cde6d655d5e61b2bb99b6d00aa"
    "7b645a98b3a856b3c80341580484645eaa4844fcd67bb0f1a163947d993d7340076f59f4f7338bd0450a";
constexpr std::string_view vector_2_signature =
    "ae773a17ab866df244cde6d655d5e61b2bb99b6d00aa7b645a98b3a856b3c80341580484645eaa4844fcd67b"
    "b0f1a163947d993d7340076f59f4f7338bd0450a";
constexpr std::string_view vector_2_id =
    "5080d73408446470490c54dc55599708645ff3e5bae467e18bbbb4d9c08c3f53";

// The alerts exactly as reference_entry.py gives them to its encoder, lists out of order.
Alert vector_1_alert() {
  Alert a;
  a.original = {"fr", "Un journaliste détenu à Exempleville",
                "Vecteur de test : alerte fictive, publiée pour vérifier les implémentations.",
                "Première ligne du corps.\nDeuxième ligne : « guillemets » et accents éèàç."};
  a.translations = {{"en", "A journalist detained in Exampletown",
                     "Test vector: a fictional alert, published to check implementations.",
                     "First line of the body.\nSecond line."}};
  a.country = "FR";
  a.categories = {"press-freedom", "detention"};
  a.event_date = "2023-11-14";
  a.sources = {"https://example.org/alertes/1", "http://example.net/a?b=c"};
  a.tags = {"vecteur-de-test"};
  return a;
}

// U+200F RIGHT-TO-LEFT MARK and U+200D ZERO WIDTH JOINER, spelled as bytes.
constexpr std::string_view rlm = "\xe2\x80\x8f";
constexpr std::string_view zwj = "\xe2\x80\x8d";

Alert vector_2_alert() {
  Alert a;
  a.original = {"ar", "صحفي محتجز في مدينة المثال",
                "متجه اختبار: تنبيه خيالي منذ 2024" + std::string(rlm) + ".",
                "السطر الأول.\nالسطر الثاني" + std::string(zwj) + "مع وصلة."};
  a.translations = {
      {"fr", "Un journaliste détenu à Ville-Exemple", "Vecteur de test : alerte fictive.", ""},
      {"en", "A journalist detained in Example City", "Test vector: a fictional alert.", ""}};
  a.country = "JO";
  a.categories = {"attack-on-journalist"};
  a.event_date = "2024-02-29";
  a.sources = {"https://example.org/ar/2"};
  a.tags = {"test-vector", "arabic"};
  a.legacy_id = "IFEX-TEST-0002";
  return a;
}

void check_vector(const SignedEntry& made, const Alert& alert, std::string_view payload_hex,
                  std::string_view entry_hex, std::string_view signature_hex,
                  std::string_view id_hex) {
  CHECK(to_hex(made.payload()) == payload_hex);
  CHECK(to_hex(made.bytes()) == entry_hex);
  CHECK(made.signature().hex() == signature_hex);
  CHECK(made.id().hex() == id_hex);
  // The published bytes decode, verify, and give back the canonical alert.
  auto decoded = decode_entry(hex_bytes(entry_hex), EntryLimits{});
  REQUIRE(decoded);
  CHECK(decoded->id().hex() == id_hex);
  CHECK(decoded->fields().payload == made.payload());
  auto decoded_alert = decode_alert(decoded->payload());
  REQUIRE(decoded_alert);
  Alert canonical = alert;
  canonicalize(canonical);
  CHECK(*decoded_alert == canonical);
}

TEST_CASE("the C++ code reproduces the published test vectors", "[entry][vector]") {
  Bytes seed(32);
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(i);
  Identity id = Identity::from_seed(seed);
  REQUIRE(id.public_key().hex() == vector_public_key);

  Alert alert_1 = vector_1_alert();
  REQUIRE(validate_alert(alert_1, Vocabulary::known_only));
  SignedEntry e1 = sign_entry(
      id, {id.public_key(), 1, Hash{}, 1'700'000'000'000, EntryKind::alert, encode_alert(alert_1)});
  check_vector(e1, alert_1, vector_1_payload, vector_1_entry, vector_1_signature, vector_1_id);

  Alert alert_2 = vector_2_alert();
  REQUIRE(validate_alert(alert_2, Vocabulary::known_only));
  SignedEntry e2 = sign_entry(id, {id.public_key(), 2, e1.id(), 1'700'000'060'000, EntryKind::alert,
                                   encode_alert(alert_2)});
  check_vector(e2, alert_2, vector_2_payload, vector_2_entry, vector_2_signature, vector_2_id);

  CHECK(fit_entry(head_after(e1), e2) == ChainFit::next);
  // Invisible bidi and joining marks are carried through, byte for byte.
  auto decoded_2 = decode_alert(e2.payload());
  REQUIRE(decoded_2);
  CHECK(decoded_2->original.summary.find(rlm) != std::string::npos);
  CHECK(decoded_2->original.body.find(zwj) != std::string::npos);
}

// --- helpers for hand-made encodings ------------------------------------------------------------

void put_le(Bytes& bytes, std::size_t at, std::uint64_t value, int width) {
  for (int i = 0; i < width; ++i) bytes[at + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

Bytes without_signature(const SignedEntry& e) {
  return Bytes(e.bytes().begin(), e.bytes().end() - Signature::size);
}

// Signs an altered unsigned encoding, so a test reaches the rule it targets instead of stopping
// at the signature check.
Bytes resigned(const Identity& id, Bytes unsigned_bytes) {
  Signature s = id.sign(entry_signature_domain, unsigned_bytes);
  unsigned_bytes.insert(unsigned_bytes.end(), s.bytes.begin(), s.bytes.end());
  return unsigned_bytes;
}

std::string error_code(ByteView bytes, const EntryLimits& limits = {}) {
  auto r = decode_entry(bytes, limits);
  return r ? "ok" : r.error().code;
}

SignedEntry vector_entry() {
  auto e = decode_entry(hex_bytes(vector_1_entry), EntryLimits{});
  REQUIRE(e);
  return *e;
}

// --- signing and decoding -----------------------------------------------------------------------

TEST_CASE("a signed entry decodes to the same fields, bytes and id", "[entry]") {
  Identity id = seeded_identity(7);
  std::mt19937 rng(42);
  Hash prev;
  for (std::uint64_t seq = 1; seq <= 20; ++seq) {
    Bytes payload(rng() % 300);  // includes empty payloads
    for (auto& b : payload) b = static_cast<std::uint8_t>(rng());
    const auto kind = static_cast<EntryKind>(1 + rng() % 6);
    SignedEntry e = make_entry(id, seq, prev, payload, kind);
    CHECK(e.bytes().size() == entry_overhead + payload.size());
    CHECK(e.id() == entry_id(e.bytes()));
    CHECK(e.id() == blake2b_256({e.bytes()}));
    CHECK(verify_signature(id.public_key(), entry_signature_domain, without_signature(e),
                           e.signature()));

    auto d = decode_entry(e.bytes(), EntryLimits{});
    REQUIRE(d);
    CHECK(d->author() == id.public_key());
    CHECK(d->seq() == seq);
    CHECK(d->prev() == prev);
    CHECK(d->created_ms() == e.created_ms());
    CHECK(d->kind() == kind);
    CHECK(d->payload() == payload);
    CHECK(d->signature() == e.signature());
    CHECK(d->bytes() == e.bytes());
    CHECK(d->id() == e.id());
    prev = e.id();
  }
}

TEST_CASE("the layout puts each field at its documented offset", "[entry]") {
  Identity id = seeded_identity(1);
  Hash prev = *Hash::from_hex("aa" + std::string(62, '0'));
  const Bytes payload{'x', 'y', 'z'};
  SignedEntry e = make_entry(id, 0x0102030405060708, prev, payload, EntryKind::endorse);
  const Bytes& b = e.bytes();
  STATIC_REQUIRE(entry_header_size == 92);
  STATIC_REQUIRE(entry_overhead == 156);
  CHECK(b[0] == 0x01);
  CHECK(b[version_at] == entry_version);
  CHECK(std::equal(id.public_key().bytes.begin(), id.public_key().bytes.end(),
                   b.begin() + author_at));
  CHECK(to_hex(ByteView(b).subspan(seq_at, 8)) == "0807060504030201");
  CHECK(b[prev_at] == 0xaa);
  CHECK(to_hex(ByteView(b).subspan(kind_at, 2)) == "0400");
  CHECK(to_hex(ByteView(b).subspan(payload_len_at, 8)) == "0300000000000000");
  CHECK(to_hex(ByteView(b).subspan(payload_at, 3)) == "78797a");
  CHECK(std::equal(e.signature().bytes.begin(), e.signature().bytes.end(), b.end() - 64));
}

TEST_CASE("every single-byte change to an entry is rejected", "[entry][mutation]") {
  const Bytes good = hex_bytes(vector_1_entry);
  REQUIRE(error_code(good) == "ok");
  std::vector<std::string> accepted;
  // Every possible value in the header, where the structural rules live.
  for (std::size_t pos = 0; pos < entry_header_size; ++pos) {
    for (int v = 0; v < 256; ++v) {
      if (v == good[pos]) continue;
      Bytes bad = good;
      bad[pos] = static_cast<std::uint8_t>(v);
      if (decode_entry(bad, EntryLimits{}))
        accepted.push_back(std::to_string(pos) + "=" + std::to_string(v));
    }
  }
  // Several bit patterns everywhere, payload and signature included.
  for (std::size_t pos = 0; pos < good.size(); ++pos) {
    for (std::uint8_t pattern : {0x01, 0x02, 0x10, 0x80, 0x55, 0xff}) {
      Bytes bad = good;
      bad[pos] ^= pattern;
      if (decode_entry(bad, EntryLimits{}))
        accepted.push_back(std::to_string(pos) + "^" + std::to_string(pattern));
    }
  }
  INFO("accepted mutations (position=value or position^pattern): " << accepted.size());
  for (const auto& m : accepted) UNSCOPED_INFO(m);
  CHECK(accepted.empty());
}

TEST_CASE("every truncation of an entry is rejected as truncated", "[entry][mutation]") {
  const Bytes good = hex_bytes(vector_1_entry);
  std::vector<std::size_t> wrong;
  for (std::size_t len = 0; len < good.size(); ++len)
    if (error_code(ByteView(good).first(len)) != "truncated") wrong.push_back(len);
  INFO("lengths not reported as truncated: " << wrong.size());
  CHECK(wrong.empty());
}

TEST_CASE("extra bytes after an entry are rejected", "[entry][mutation]") {
  const Bytes good = hex_bytes(vector_1_entry);
  std::mt19937 rng(7);
  for (std::size_t extra = 1; extra <= 100; ++extra) {
    Bytes longer = good;
    for (std::size_t i = 0; i < extra; ++i) longer.push_back(static_cast<std::uint8_t>(rng()));
    INFO("extra bytes: " << extra);
    CHECK(error_code(longer) == "trailing_bytes");
  }
  // Past the size limit the limit speaks first.
  Bytes longer = good;
  longer.push_back(0);
  CHECK(error_code(longer, EntryLimits{good.size()}) == "too_large");
}

TEST_CASE("structural rules are enforced even under a valid signature", "[entry]") {
  Identity id = seeded_identity(0);
  const SignedEntry e1 = vector_entry();
  const Bytes base = without_signature(e1);

  SECTION("the first byte must be the little-endian flag 0x01") {
    for (std::uint8_t flag : {0x00, 0x02, 0xff}) {
      Bytes b = base;
      b[0] = flag;
      CHECK(error_code(resigned(id, b)) == "not_canonical");
    }
  }
  SECTION("unknown versions are rejected") {
    for (std::uint8_t version : {0, 2, 255}) {
      Bytes b = base;
      b[version_at] = version;
      CHECK(error_code(resigned(id, b)) == "unknown_version");
    }
  }
  SECTION("unknown kinds are rejected") {
    for (std::uint16_t kind : {0, 7, 65535}) {
      Bytes b = base;
      put_le(b, kind_at, kind, 2);
      CHECK(error_code(resigned(id, b)) == "unknown_kind");
    }
  }
  SECTION("seq 0 is rejected") {
    Bytes b = base;
    put_le(b, seq_at, 0, 8);
    CHECK(error_code(resigned(id, b)) == "bad_seq");
  }
  SECTION("seq 1 must have an all-zero prev") {
    Bytes b = base;
    b[prev_at + 31] = 1;
    CHECK(error_code(resigned(id, b)) == "bad_prev");
  }
  SECTION("a later seq must name its predecessor") {
    Bytes b = base;
    put_le(b, seq_at, 2, 8);
    CHECK(error_code(resigned(id, b)) == "bad_prev");
  }
  SECTION("payload_len must match the bytes present") {
    const std::uint64_t real = e1.payload().size();
    for (std::uint64_t lie : {real + 1, real + 64, real - 1, std::uint64_t{0},
                              std::uint64_t{0xffffffffffffffff}, std::uint64_t{1} << 63}) {
      Bytes b = base;
      put_le(b, payload_len_at, lie, 8);
      INFO("payload_len " << lie);
      CHECK(error_code(resigned(id, b)) == (lie > real ? "truncated" : "trailing_bytes"));
    }
  }
  SECTION("the size limit covers the whole signed encoding") {
    const Bytes& good = e1.bytes();
    CHECK(error_code(good, EntryLimits{good.size()}) == "ok");
    CHECK(error_code(good, EntryLimits{good.size() - 1}) == "too_large");
    // The default limit, 64 KiB, to the byte.
    SignedEntry biggest =
        make_entry(id, 1, Hash{}, Bytes(64 * 1024 - entry_overhead, 'a'), EntryKind::alert);
    CHECK(biggest.bytes().size() == 64 * 1024);
    CHECK(error_code(biggest.bytes()) == "ok");
    SignedEntry too_big =
        make_entry(id, 1, Hash{}, Bytes(64 * 1024 - entry_overhead + 1, 'a'), EntryKind::alert);
    CHECK(error_code(too_big.bytes()) == "too_large");
  }
}

TEST_CASE("signing refuses structurally invalid fields", "[entry]") {
  Identity id = seeded_identity(3);
  Identity other = seeded_identity(4);
  Hash some_id = blake2b_256({as_bytes("x")});
  auto fields = [&](std::uint64_t seq, Hash prev, std::uint16_t kind) {
    return EntryFields{id.public_key(), seq, prev, 0, static_cast<EntryKind>(kind), {}};
  };
  CHECK(encode_unsigned_entry(fields(0, Hash{}, 1)).error().code == "bad_seq");
  CHECK(encode_unsigned_entry(fields(1, some_id, 1)).error().code == "bad_prev");
  CHECK(encode_unsigned_entry(fields(2, Hash{}, 1)).error().code == "bad_prev");
  CHECK(encode_unsigned_entry(fields(1, Hash{}, 0)).error().code == "unknown_kind");
  CHECK(encode_unsigned_entry(fields(1, Hash{}, 7)).error().code == "unknown_kind");
  CHECK(encode_unsigned_entry(fields(1, Hash{}, 1)).ok());
  CHECK_THROWS_AS(sign_entry(id, fields(0, Hash{}, 1)), std::invalid_argument);
  CHECK_THROWS_AS(sign_entry(id, fields(1, Hash{}, 65535)), std::invalid_argument);
  CHECK_THROWS_AS(sign_entry(other, fields(1, Hash{}, 1)), std::invalid_argument);
}

// S + L, the classic malleation: a lax verifier accepts it as a second valid signature.
Signature add_group_order(Signature s) {
  static constexpr std::uint8_t order[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
                                             0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                                             0,    0,    0,    0,    0,    0,    0,    0,
                                             0,    0,    0,    0,    0,    0,    0,    0x10};
  unsigned carry = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    unsigned sum = s.bytes[32 + i] + order[i] + carry;
    s.bytes[32 + i] = static_cast<std::uint8_t>(sum);
    carry = sum >> 8;
  }
  return s;
}

TEST_CASE("signatures are checked strictly", "[entry][signature]") {
  Identity id = seeded_identity(0);
  Identity other = seeded_identity(100);
  const SignedEntry e1 = vector_entry();
  const Bytes base = without_signature(e1);

  SECTION("another key's signature") {
    CHECK(error_code(resigned(other, base)) == "bad_signature");
  }
  SECTION("another author named on a valid signature") {
    Bytes b = e1.bytes();
    std::copy(other.public_key().bytes.begin(), other.public_key().bytes.end(),
              b.begin() + author_at);
    CHECK(error_code(b) == "bad_signature");
  }
  SECTION("a signature without the domain separation") {
    Signature bare = id.sign("", base);
    Bytes b = base;
    b.insert(b.end(), bare.bytes.begin(), bare.bytes.end());
    CHECK(error_code(b) == "bad_signature");
  }
  SECTION("non-canonical S (S + L)") {
    Signature malleated = add_group_order(e1.signature());
    REQUIRE(malleated != e1.signature());
    Bytes b = base;
    b.insert(b.end(), malleated.bytes.begin(), malleated.bytes.end());
    CHECK(error_code(b) == "bad_signature");
  }
  SECTION("the identity point as key with the trivial signature") {
    // With A = R = identity and S = 0, [S]B = R + [k]A holds for every message: only the
    // small-order check stops it.
    Bytes b = base;
    b[author_at] = 0x01;
    std::fill(b.begin() + author_at + 1, b.begin() + author_at + 32, 0);
    Bytes trivial(64, 0);
    trivial[0] = 0x01;
    b.insert(b.end(), trivial.begin(), trivial.end());
    CHECK(error_code(b) == "bad_signature");
  }
  SECTION("decode_trusted_entry skips only the signature") {
    Bytes b = e1.bytes();
    b.back() ^= 0x01;
    CHECK(error_code(b) == "bad_signature");
    CHECK(decode_trusted_entry(b, EntryLimits{}).ok());
    b[0] = 0x00;
    CHECK_FALSE(decode_trusted_entry(b, EntryLimits{}).ok());
  }
}

TEST_CASE("every reserved kind is carried, and kinds have names", "[entry]") {
  Identity id = seeded_identity(9);
  for (std::uint16_t v = 1; v <= 6; ++v) {
    const auto kind = static_cast<EntryKind>(v);
    SignedEntry e = make_entry(id, 1, Hash{}, {}, kind);
    auto d = decode_entry(e.bytes(), EntryLimits{});
    REQUIRE(d);
    CHECK(d->kind() == kind);
    CHECK(is_reserved_kind(v));
    CHECK(kind_from_name(kind_name(kind)) == kind);
  }
  CHECK(kind_name(EntryKind::alert) == "alert");
  CHECK(kind_name(EntryKind::key) == "key");
  CHECK(kind_name(static_cast<EntryKind>(0)) == "unknown");
  CHECK(kind_name(static_cast<EntryKind>(7)) == "unknown");
  CHECK_FALSE(kind_from_name("").has_value());
  CHECK_FALSE(kind_from_name("unknown").has_value());
  CHECK_FALSE(kind_from_name("Alert").has_value());
  CHECK_FALSE(is_reserved_kind(0));
  CHECK_FALSE(is_reserved_kind(7));
  CHECK_FALSE(is_reserved_kind(65535));
}

TEST_CASE("an entry dated too far ahead of the receiver's clock is refused with a reason",
          "[entry][clock]") {
  Identity id = seeded_identity(3);
  const SignedEntry e = make_entry(id, 1, Hash{}, Bytes{'x'});  // created_ms = 1,700,000,000,001
  const std::uint64_t created = e.created_ms();
  const std::uint64_t hour = 3'600'000;
  CHECK(check_not_future(e, created, hour));               // same instant
  CHECK(check_not_future(e, created + 5 * hour, hour));    // in the past: always fine
  CHECK(check_not_future(e, created - hour, hour));        // exactly at the bound
  auto ahead = check_not_future(e, created - hour - 1000, hour);
  REQUIRE_FALSE(ahead);
  CHECK(ahead.error().code == "created_in_future");
  CHECK_THAT(ahead.error().message, Catch::Contains("in the future"));
  CHECK_FALSE(check_not_future(e, 0, 0));
  CHECK(check_not_future(e, std::numeric_limits<std::uint64_t>::max(), 0));
}

}  // namespace
}  // namespace ifex
