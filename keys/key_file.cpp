#include "keys/key_file.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>  // renameat2 (glibc >= 2.28, with _GNU_SOURCE)
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace ifex {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view magic = "IFEXKEY1";
constexpr std::uint8_t format_plain = 0;
constexpr std::uint8_t format_encrypted = 1;

constexpr std::size_t public_key_offset = 9;
constexpr std::size_t header_size = public_key_offset + PublicKey::size;  // 41
constexpr std::size_t seed_offset = header_size;                          // plain
constexpr std::size_t opslimit_offset = header_size;                      // encrypted
constexpr std::size_t memlimit_offset = opslimit_offset + 8;
constexpr std::size_t salt_offset = memlimit_offset + 8;
constexpr std::size_t nonce_offset = salt_offset + crypto_pwhash_SALTBYTES;
constexpr std::size_t ciphertext_offset =
    nonce_offset + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t ciphertext_size =
    Identity::seed_size + crypto_aead_xchacha20poly1305_ietf_ABYTES;

static_assert(seed_offset + Identity::seed_size == key_file_plain_size);
static_assert(ciphertext_offset + ciphertext_size == key_file_encrypted_size);
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == 32);

constexpr std::uint64_t max_opslimit = 64;
constexpr std::uint64_t max_memlimit = std::uint64_t{4} << 30;

Error error(std::string_view code, std::string message) {
  return make_error(std::string(code), std::move(message));
}

std::string errno_text(int err) {
  return std::strerror(err);
}

void put_u64_le(std::uint8_t* out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint64_t get_u64_le(const std::uint8_t* in) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | in[i];
  return v;
}

// Closes on scope exit; the only owner of its descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // close() can report a delayed write error, so the writer checks it.
  int close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

bool write_all(int fd, const std::uint8_t* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Reads until EOF or `capacity` bytes; returns the count, or -1 with errno set.
ssize_t read_up_to(int fd, std::uint8_t* data, std::size_t capacity) {
  std::size_t got = 0;
  while (got < capacity) {
    ssize_t n = ::read(fd, data + got, capacity - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  return static_cast<ssize_t>(got);
}

Result<SecretBytes> derive_key(const SecretBytes& passphrase, const std::uint8_t* salt,
                               KdfParams kdf) {
  SecretBytes key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  if (crypto_pwhash(key.data(), key.size(), passphrase.text().data(), passphrase.size(), salt,
                    kdf.opslimit, static_cast<std::size_t>(kdf.memlimit),
                    crypto_pwhash_ALG_ARGON2ID13) != 0)
    return error(key_file_error::io, "Argon2id key derivation failed (out of memory for " +
                                         std::to_string(kdf.memlimit >> 20) + " MiB?)");
  return key;
}

fs::path directory_of(const fs::path& path) {
  fs::path dir = path.parent_path();
  return dir.empty() ? fs::path(".") : dir;
}

// Moves `from` to `to` unless `to` exists, atomically. Returns 0 or an errno value.
int publish_no_replace(const fs::path& from, const fs::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  int err = errno;
  // Filesystems or kernels without RENAME_NOREPLACE: link() fails with EEXIST just as atomically.
  if (err != EINVAL && err != ENOSYS && err != EOPNOTSUPP) return err;
  if (::link(from.c_str(), to.c_str()) != 0) return errno;
  ::unlink(from.c_str());  // the key file is in place; a failure here leaves a 0600 copy only
  return 0;
}

// A file image (at most the largest key file + 1 byte, so an oversized file is noticed) read with
// the permission check done on the open descriptor, not the name, so no swap can slip between.
struct LoadedFile {
  SecretBytes bytes;
  std::uint8_t format = 0;
};

Result<LoadedFile> load_key_file(const fs::path& path) {
  const std::string name = path.string();
  // O_NONBLOCK so a FIFO planted at the path cannot hang us before the S_ISREG check.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd.valid()) {
    int err = errno;
    if (err == ENOENT) return error(key_file_error::missing, "no key file at " + name);
    return error(key_file_error::io, "cannot open key file " + name + ": " + errno_text(err));
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0)
    return error(key_file_error::io, "cannot stat key file " + name + ": " + errno_text(errno));
  if (!S_ISREG(st.st_mode))
    return error(key_file_error::corrupt, "corrupt key file " + name + ": not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    (void)std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return error(key_file_error::permissions,
                 "key file " + name + " has mode " + mode +
                     ", so group or others can reach it; run: chmod 600 " + name);
  }
  LoadedFile out{SecretBytes(key_file_encrypted_size + 1), 0};
  ssize_t n = read_up_to(fd.get(), out.bytes.data(), out.bytes.size());
  if (n < 0)
    return error(key_file_error::io, "cannot read key file " + name + ": " + errno_text(errno));
  const auto size = static_cast<std::size_t>(n);
  out.bytes.shrink(size);

  auto corrupt = [&](const std::string& why) {
    return error(key_file_error::corrupt, "corrupt key file " + name + ": " + why);
  };
  if (size < magic.size() + 1 || std::memcmp(out.bytes.data(), magic.data(), magic.size()) != 0)
    return corrupt("not an ifexnode key file (it does not start with IFEXKEY1)");
  out.format = out.bytes.data()[magic.size()];
  std::size_t expected = 0;
  if (out.format == format_plain)
    expected = key_file_plain_size;
  else if (out.format == format_encrypted)
    expected = key_file_encrypted_size;
  else
    return corrupt("unknown format byte " + std::to_string(out.format));
  if (size != expected)
    return corrupt(std::string(size > expected ? "longer" : "shorter") + " than the " +
                   std::to_string(expected) + " bytes of its format (truncated or damaged)");
  if (out.format == format_encrypted) {
    KdfParams kdf{get_u64_le(out.bytes.data() + opslimit_offset),
                  get_u64_le(out.bytes.data() + memlimit_offset)};
    if (!kdf.within_bounds())
      return corrupt("implausible Argon2id parameters (opslimit " + std::to_string(kdf.opslimit) +
                     ", memlimit " + std::to_string(kdf.memlimit) + ")");
  }
  return out;
}

PublicKey stored_public_key(const LoadedFile& file) {
  return *PublicKey::from(ByteView(file.bytes.data() + public_key_offset, PublicKey::size));
}

}  // namespace

KdfParams KdfParams::interactive() {
  return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}
KdfParams KdfParams::moderate() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MODERATE, crypto_pwhash_argon2id_MEMLIMIT_MODERATE};
}
KdfParams KdfParams::sensitive() {
  return {crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE, crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE};
}

bool KdfParams::within_bounds() const {
  return opslimit >= crypto_pwhash_argon2id_OPSLIMIT_MIN && opslimit <= max_opslimit &&
         memlimit >= crypto_pwhash_argon2id_MEMLIMIT_MIN && memlimit <= max_memlimit &&
         memlimit <= SIZE_MAX;
}

Status write_key_file(const fs::path& path, const Identity& identity, const SecretBytes* passphrase,
                      KdfParams kdf) {
  init_crypto();
  const std::string name = path.string();
  std::error_code ec;
  if (fs::symlink_status(path, ec).type() != fs::file_type::not_found && !ec)
    return error(key_file_error::exists, "refusing to overwrite existing " + name);

  const bool encrypt = passphrase != nullptr;
  if (encrypt && passphrase->empty())
    return error(key_file_error::bad_params, "the passphrase is empty");
  if (encrypt && !kdf.within_bounds())
    return error(key_file_error::bad_params, "Argon2id parameters out of bounds");

  // The whole image is secret in the plain format; keep both formats in guarded memory.
  SecretBytes image(encrypt ? key_file_encrypted_size : key_file_plain_size);
  std::uint8_t* p = image.data();
  std::memcpy(p, magic.data(), magic.size());
  p[magic.size()] = encrypt ? format_encrypted : format_plain;
  std::memcpy(p + public_key_offset, identity.public_key().data(), PublicKey::size);
  if (!encrypt) {
    std::memcpy(p + seed_offset, identity.seed().data(), Identity::seed_size);
  } else {
    put_u64_le(p + opslimit_offset, kdf.opslimit);
    put_u64_le(p + memlimit_offset, kdf.memlimit);
    randombytes_buf(p + salt_offset, crypto_pwhash_SALTBYTES);
    randombytes_buf(p + nonce_offset, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    auto key = derive_key(*passphrase, p + salt_offset, kdf);
    if (!key) return key.error();
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        p + ciphertext_offset, &written, identity.seed().data(), Identity::seed_size, p,
        ciphertext_offset, nullptr, p + nonce_offset, key->data());
  }

  // A random temp name in the same directory, so the final rename stays on one filesystem.
  const fs::path dir = directory_of(path);
  std::uint8_t tag[8];
  randombytes_buf(tag, sizeof tag);
  const fs::path tmp = dir / ("." + path.filename().string() + ".tmp-" + to_hex(tag));
  auto io_error = [&](const std::string& what, int err) {
    return error(key_file_error::io, what + ": " + errno_text(err));
  };
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd.valid()) return io_error("cannot create a file in " + dir.string(), errno);
    // The umask can only narrow 0600, but say exactly what we mean.
    bool ok = ::fchmod(fd.get(), 0600) == 0 && write_all(fd.get(), image.data(), image.size()) &&
              ::fsync(fd.get()) == 0;
    int err = errno;
    if (ok && fd.close() != 0) {
      ok = false;
      err = errno;
    }
    if (!ok) {
      ::unlink(tmp.c_str());
      return io_error("cannot write key file " + name, err);
    }
  }
  if (int err = publish_no_replace(tmp, path); err != 0) {
    ::unlink(tmp.c_str());
    if (err == EEXIST)
      return error(key_file_error::exists, "refusing to overwrite existing " + name);
    return io_error("cannot move the key file into place at " + name, err);
  }
  // The rename is durable only once the directory entry is.
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.valid() || ::fsync(dir_fd.get()) != 0) {
    int err = errno;
    return io_error("wrote " + name + " but could not sync its directory", err);
  }
  return Status::success();
}

Result<Identity> read_key_file(const fs::path& path, const SecretBytes* passphrase) {
  init_crypto();
  auto file = load_key_file(path);
  if (!file) return file.error();
  const std::string name = path.string();
  const std::uint8_t* p = file->bytes.data();
  const PublicKey stored = stored_public_key(*file);

  SecretBytes seed(Identity::seed_size);
  if (file->format == format_plain) {
    std::memcpy(seed.data(), p + seed_offset, Identity::seed_size);
  } else {
    if (passphrase == nullptr)
      return error(key_file_error::passphrase_required,
                   "key file " + name + " is encrypted: a passphrase is required");
    KdfParams kdf{get_u64_le(p + opslimit_offset), get_u64_le(p + memlimit_offset)};
    auto key = derive_key(*passphrase, p + salt_offset, kdf);
    if (!key) return key.error();
    unsigned long long seed_len = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            seed.data(), &seed_len, nullptr, p + ciphertext_offset, ciphertext_size, p,
            ciphertext_offset, p + nonce_offset, key->data()) != 0 ||
        seed_len != Identity::seed_size)
      return error(key_file_error::wrong_passphrase,
                   "wrong passphrase for key file " + name + " (or the file was altered)");
  }
  Identity identity = Identity::from_seed(seed.view());
  if (identity.public_key() != stored)
    return error(key_file_error::corrupt,
                 "corrupt key file " + name + ": the stored public key does not match the seed");
  return identity;
}

Result<PublicKey> read_key_file_public_key(const fs::path& path) {
  auto file = load_key_file(path);
  if (!file) return file.error();
  return stored_public_key(*file);
}

Result<bool> key_file_is_encrypted(const fs::path& path) {
  auto file = load_key_file(path);
  if (!file) return file.error();
  return file->format == format_encrypted;
}

Result<SecretBytes> read_passphrase_file(const fs::path& path) {
  const std::string name = path.string();
  // Blocking and any file type: a pipe such as --passphrase-file <(pass show ifex) is fine.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) {
    int err = errno;
    if (err == ENOENT) return error(key_file_error::missing, "no passphrase file at " + name);
    return error(key_file_error::io,
                 "cannot open passphrase file " + name + ": " + errno_text(err));
  }
  // Room for the longest passphrase, its "\r\n", and one byte to notice anything longer.
  SecretBytes text(max_passphrase_size + 3);
  ssize_t n = read_up_to(fd.get(), text.data(), text.size());
  if (n < 0)
    return error(key_file_error::io,
                 "cannot read passphrase file " + name + ": " + errno_text(errno));
  auto size = static_cast<std::size_t>(n);
  if (size >= 2 && text.data()[size - 2] == '\r' && text.data()[size - 1] == '\n')
    size -= 2;
  else if (size >= 1 && text.data()[size - 1] == '\n')
    size -= 1;
  text.shrink(size);
  if (text.empty()) return error(key_file_error::empty, "passphrase file " + name + " is empty");
  if (text.size() > max_passphrase_size)
    return error(key_file_error::too_large, "passphrase in " + name + " is longer than " +
                                                std::to_string(max_passphrase_size) + " bytes");
  return text;
}

}  // namespace ifex
