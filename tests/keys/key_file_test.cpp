#include "keys/key_file.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "tests/support/temp_dir.hpp"

namespace ifex {
namespace {

namespace fs = std::filesystem;

using test::TempDir;

// The cheapest Argon2id libsodium allows: the tests check the format, not the cost.
KdfParams fast_kdf() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

SecretBytes secret(std::string_view text) {
  return SecretBytes::copy_of(as_bytes(text));
}

Bytes read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const fs::path& path, ByteView bytes,
                 fs::perms mode = fs::perms::owner_read | fs::perms::owner_write) {
  fs::remove(path);
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  }
  fs::permissions(path, mode, fs::perm_options::replace);
}

unsigned mode_of(const fs::path& path) {
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

std::uint64_t u64_le_at(const Bytes& b, std::size_t offset) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | b[offset + static_cast<std::size_t>(i)];
  return v;
}

TEST_CASE("plain key file round-trips with the documented layout", "[key_file]") {
  TempDir dir;
  const fs::path path = dir / "identity.key";
  Identity id = Identity::generate();
  REQUIRE(write_key_file(path, id, nullptr, fast_kdf()));

  CHECK(mode_of(path) == 0600);
  Bytes raw = read_bytes(path);
  REQUIRE(raw.size() == key_file_plain_size);
  CHECK(as_chars(ByteView(raw).first(8)) == "IFEXKEY1");
  CHECK(raw[8] == 0);
  CHECK(Bytes(raw.begin() + 9, raw.begin() + 41) ==
        Bytes(id.public_key().bytes.begin(), id.public_key().bytes.end()));
  CHECK(Bytes(raw.begin() + 41, raw.end()) == Bytes(id.seed().begin(), id.seed().end()));
  // Only the key file is left: the temp file was renamed, not copied.
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);

  auto back = read_key_file(path, nullptr);
  REQUIRE(back);
  CHECK(back->public_key() == id.public_key());
  auto with_passphrase = secret("ignored for a plain file");
  auto back2 = read_key_file(path, &with_passphrase);
  REQUIRE(back2);
  CHECK(back2->public_key() == id.public_key());

  auto pk = read_key_file_public_key(path);
  REQUIRE(pk);
  CHECK(*pk == id.public_key());
  auto encrypted = key_file_is_encrypted(path);
  REQUIRE(encrypted);
  CHECK_FALSE(*encrypted);
}

TEST_CASE("encrypted key file round-trips and needs the right passphrase", "[key_file]") {
  TempDir dir;
  const fs::path path = dir / "identity.key";
  Identity id = Identity::generate();
  auto pass = secret("correct horse battery staple");
  REQUIRE(write_key_file(path, id, &pass, fast_kdf()));

  CHECK(mode_of(path) == 0600);
  Bytes raw = read_bytes(path);
  REQUIRE(raw.size() == key_file_encrypted_size);
  CHECK(raw[8] == 1);
  CHECK(u64_le_at(raw, 41) == fast_kdf().opslimit);
  CHECK(u64_le_at(raw, 49) == fast_kdf().memlimit);
  // The seed appears nowhere in clear.
  Bytes seed(id.seed().begin(), id.seed().end());
  CHECK(std::search(raw.begin(), raw.end(), seed.begin(), seed.end()) == raw.end());

  auto back = read_key_file(path, &pass);
  REQUIRE(back);
  CHECK(back->public_key() == id.public_key());
  CHECK(Bytes(back->seed().begin(), back->seed().end()) == seed);

  auto wrong = secret("correct horse battery stapler");
  auto r = read_key_file(path, &wrong);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "wrong_passphrase");

  auto none = read_key_file(path, nullptr);
  REQUIRE_FALSE(none);
  CHECK(none.error().code == "passphrase_required");

  auto pk = read_key_file_public_key(path);
  REQUIRE(pk);
  CHECK(*pk == id.public_key());
  auto encrypted = key_file_is_encrypted(path);
  REQUIRE(encrypted);
  CHECK(*encrypted);

  // Same identity and passphrase, fresh salt and nonce: a different file.
  const fs::path again = dir / "again.key";
  REQUIRE(write_key_file(again, id, &pass, fast_kdf()));
  CHECK(read_bytes(again) != raw);
}

TEST_CASE("encrypted key file with libsodium's interactive cost", "[key_file]") {
  TempDir dir;
  const fs::path path = dir / "identity.key";
  Identity id = Identity::generate();
  auto pass = secret("pass");
  REQUIRE(write_key_file(path, id, &pass, KdfParams::interactive()));
  auto back = read_key_file(path, &pass);
  REQUIRE(back);
  CHECK(back->public_key() == id.public_key());
}

TEST_CASE("every truncation of a key file is corrupt", "[key_file]") {
  TempDir dir;
  Identity id = Identity::generate();
  auto pass = secret("pass");
  const fs::path source = dir / "source.key";
  const bool encrypt = GENERATE(false, true);
  REQUIRE(write_key_file(source, id, encrypt ? &pass : nullptr, fast_kdf()));
  const Bytes full = read_bytes(source);
  const fs::path path = dir / "truncated.key";
  for (std::size_t len = 0; len < full.size(); ++len) {
    write_bytes(path, ByteView(full).first(len));
    CAPTURE(encrypt, len);
    auto r = read_key_file(path, &pass);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "corrupt");
    CHECK_FALSE(read_key_file_public_key(path));
    CHECK_FALSE(key_file_is_encrypted(path));
  }
  Bytes longer = full;
  longer.push_back(0);
  write_bytes(path, longer);
  auto r = read_key_file(path, &pass);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "corrupt");
}

TEST_CASE("a changed byte anywhere in a key file is an error, never another identity",
          "[key_file]") {
  TempDir dir;
  Identity id = Identity::generate();
  auto pass = secret("pass");
  const fs::path source = dir / "source.key";
  const bool encrypt = GENERATE(false, true);
  REQUIRE(write_key_file(source, id, encrypt ? &pass : nullptr, fast_kdf()));
  const Bytes full = read_bytes(source);
  const fs::path path = dir / "damaged.key";
  // Low bits only for the encrypted file: a high bit in memlimit's fourth byte asks for ~4 GiB
  // of Argon2 memory, which is within bounds but too slow for a unit test. With the minimum
  // memlimit (8 KiB) these flips ask for at most 32 MiB or fall out of bounds.
  const std::uint8_t flips[] = {0x01, static_cast<std::uint8_t>(encrypt ? 0x02 : 0xff)};
  for (std::size_t pos = 0; pos < full.size(); ++pos) {
    for (std::uint8_t flip : flips) {
      Bytes damaged = full;
      damaged[pos] ^= flip;
      write_bytes(path, damaged);
      CAPTURE(encrypt, pos, flip);
      auto r = read_key_file(path, &pass);
      REQUIRE_FALSE(r);
      CHECK((r.error().code == "corrupt" || r.error().code == "wrong_passphrase"));
    }
  }
}

TEST_CASE("hostile or unknown headers are refused before any work", "[key_file]") {
  TempDir dir;
  Identity id = Identity::generate();
  auto pass = secret("pass");
  const fs::path source = dir / "source.key";
  REQUIRE(write_key_file(source, id, &pass, fast_kdf()));
  const Bytes full = read_bytes(source);
  const fs::path path = dir / "hostile.key";

  auto expect_corrupt = [&](Bytes bytes) {
    write_bytes(path, bytes);
    auto r = read_key_file(path, &pass);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "corrupt");
    CHECK_THAT(r.error().message, Catch::StartsWith("corrupt key file"));
  };
  auto with_u64 = [&](std::size_t offset, std::uint64_t v) {
    Bytes b = full;
    for (int i = 0; i < 8; ++i)
      b[offset + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
    return b;
  };
  expect_corrupt(with_u64(49, std::uint64_t{1} << 40));           // 1 TiB of memory
  expect_corrupt(with_u64(49, (std::uint64_t{4} << 30) + 1024));  // just over 4 GiB
  expect_corrupt(with_u64(49, 1024));                             // below libsodium's minimum
  expect_corrupt(with_u64(41, 0));
  expect_corrupt(with_u64(41, 65));
  expect_corrupt(with_u64(41, ~std::uint64_t{0}));
  Bytes format = full;
  format[8] = 2;
  expect_corrupt(format);
  Bytes magic = full;
  magic[7] = '2';
  expect_corrupt(magic);

  // A plain file whose public key is not the seed's.
  const fs::path plain = dir / "plain.key";
  REQUIRE(write_key_file(plain, id, nullptr, fast_kdf()));
  Bytes swapped = read_bytes(plain);
  PublicKey other = Identity::generate().public_key();
  std::copy(other.bytes.begin(), other.bytes.end(), swapped.begin() + 9);
  write_bytes(path, swapped);
  auto r = read_key_file(path, nullptr);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "corrupt");
  CHECK_THAT(r.error().message, Catch::Contains("does not match"));
}

TEST_CASE("key files readable by others are refused", "[key_file]") {
  TempDir dir;
  const fs::path path = dir / "identity.key";
  REQUIRE(write_key_file(path, Identity::generate(), nullptr, fast_kdf()));
  const Bytes before = read_bytes(path);
  fs::permissions(path,
                  fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                      fs::perms::others_read,
                  fs::perm_options::replace);
  auto r = read_key_file(path, nullptr);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "permissions");
  CHECK_THAT(r.error().message, Catch::Contains("0644"));
  CHECK_THAT(r.error().message, Catch::Contains("chmod 600 " + path.string()));
  CHECK_FALSE(read_key_file_public_key(path));
  CHECK_FALSE(key_file_is_encrypted(path));
  // Never fixes the mode or anything else behind the operator's back.
  CHECK(mode_of(path) == 0644);
  CHECK(read_bytes(path) == before);

  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_write,
                  fs::perm_options::replace);
  auto w = read_key_file(path, nullptr);
  REQUIRE_FALSE(w);
  CHECK(w.error().code == "permissions");
}

TEST_CASE("write_key_file never replaces an existing file", "[key_file]") {
  TempDir dir;
  const fs::path path = dir / "identity.key";
  Identity first = Identity::generate();
  REQUIRE(write_key_file(path, first, nullptr, fast_kdf()));
  const Bytes before = read_bytes(path);

  Status again = write_key_file(path, Identity::generate(), nullptr, fast_kdf());
  REQUIRE_FALSE(again);
  CHECK(again.error().code == "exists");
  CHECK(read_bytes(path) == before);

  // A dangling symlink is a name taken too: writing through it could land anywhere.
  const fs::path link = dir / "link.key";
  fs::create_symlink(dir / "nowhere", link);
  Status through = write_key_file(link, first, nullptr, fast_kdf());
  REQUIRE_FALSE(through);
  CHECK(through.error().code == "exists");
  CHECK_FALSE(fs::exists(dir / "nowhere"));
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 2);
}

TEST_CASE("write_key_file creates mode 0600 whatever the umask", "[key_file]") {
  TempDir dir;
  const fs::path path = dir / "identity.key";
  mode_t old = ::umask(0);
  Status s = write_key_file(path, Identity::generate(), nullptr, fast_kdf());
  ::umask(old);
  REQUIRE(s);
  CHECK(mode_of(path) == 0600);
}

TEST_CASE("write_key_file refuses bad inputs and reports I/O errors", "[key_file]") {
  TempDir dir;
  Identity id = Identity::generate();
  auto empty = secret("");
  Status s = write_key_file(dir / "a.key", id, &empty, fast_kdf());
  REQUIRE_FALSE(s);
  CHECK(s.error().code == "bad_params");
  auto pass = secret("pass");
  Status p = write_key_file(dir / "b.key", id, &pass, KdfParams{0, fast_kdf().memlimit});
  REQUIRE_FALSE(p);
  CHECK(p.error().code == "bad_params");
  Status d = write_key_file(dir / "no-such-dir" / "c.key", id, nullptr, fast_kdf());
  REQUIRE_FALSE(d);
  CHECK(d.error().code == "io");
  CHECK(fs::is_empty(dir.path()));
}

TEST_CASE("a key file path that is not a regular file is refused without blocking", "[key_file]") {
  TempDir dir;
  const fs::path fifo = dir / "fifo.key";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto r = read_key_file(fifo, nullptr);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "corrupt");
  auto d = read_key_file(dir.path(), nullptr);
  REQUIRE_FALSE(d);
}

TEST_CASE("reading a missing key file says so", "[key_file]") {
  TempDir dir;
  auto r = read_key_file(dir / "absent.key", nullptr);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "missing");
  CHECK(read_key_file_public_key(dir / "absent.key").error().code == "missing");
}

TEST_CASE("default KDF parameters are libsodium's", "[key_file]") {
  CHECK(KdfParams::moderate().opslimit == crypto_pwhash_argon2id_OPSLIMIT_MODERATE);
  CHECK(KdfParams::moderate().memlimit == crypto_pwhash_argon2id_MEMLIMIT_MODERATE);
  CHECK(KdfParams::interactive().within_bounds());
  CHECK(KdfParams::moderate().within_bounds());
  CHECK(KdfParams::sensitive().within_bounds());
  CHECK(fast_kdf().within_bounds());
}

TEST_CASE("passphrase files", "[key_file]") {
  TempDir dir;
  const fs::path path = dir / "passphrase";
  auto read_text = [&](std::string_view content) {
    write_bytes(path, as_bytes(content));
    return read_passphrase_file(path);
  };
  auto expect_text = [&](std::string_view content, std::string_view expected) {
    CAPTURE(content);
    auto r = read_text(content);
    REQUIRE(r);
    CHECK(r->text() == expected);
  };
  auto expect_error = [&](std::string_view content, std::string_view code) {
    CAPTURE(content);
    auto r = read_text(content);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == code);
  };
  expect_text("secret", "secret");
  expect_text("secret\n", "secret");
  expect_text("secret\r\n", "secret");
  expect_text("secret\n\n", "secret\n");
  expect_text(" spaces kept \n", " spaces kept ");
  expect_error("", "empty");
  expect_error("\n", "empty");
  expect_error("\r\n", "empty");
  const std::string max(max_passphrase_size, 'x');
  expect_text(max, max);
  expect_text(max + "\r\n", max);
  expect_error(max + "x", "too_large");
  expect_error(max + "x\n", "too_large");
  expect_error(std::string(100000, 'x'), "too_large");

  auto missing = read_passphrase_file(dir / "absent");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == "missing");
}

}  // namespace
}  // namespace ifex
