#include "node/home/admin_token.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace ifex {

namespace {

constexpr std::size_t token_bytes = 32;
constexpr std::size_t max_file_bytes = 256;

std::array<unsigned char, 32> hash_of(std::string_view text) {
  std::array<unsigned char, 32> out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(text.data()),
                     text.size(), nullptr, 0);
  return out;
}

}  // namespace

Status create_admin_token(const std::filesystem::path& file) {
  unsigned char raw[token_bytes];
  randombytes_buf(raw, sizeof raw);
  char text[sodium_base64_ENCODED_LEN(token_bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof raw);
  std::string line = std::string(text) + "\n";
  sodium_memzero(text, sizeof text);

  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    sodium_memzero(line.data(), line.size());
    return make_error(errno == EEXIST ? "exists" : "io",
                      "cannot create " + file.string() + ": " + std::strerror(errno));
  }
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  sodium_memzero(line.data(), line.size());
  if (!ok) return make_error("io", "cannot write " + file.string());
  return Status::success();
}

Result<AdminTokenCheck> AdminTokenCheck::load(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return make_error("no_admin_token", "cannot read the admin token " + file.string() + ": " +
                                            std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
    ::close(fd);
    return make_error("admin_token_mode", file.string() + " can be read by other users; make it "
                                                          "private with `chmod 600 " +
                                              file.string() + "`");
  }
  char buf[max_file_bytes];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n <= 0 || static_cast<std::size_t>(n) == sizeof buf) {
    sodium_memzero(buf, sizeof buf);
    return make_error("bad_admin_token", file.string() + " does not hold an admin token");
  }
  std::string_view text(buf, static_cast<std::size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.remove_suffix(1);
  if (text.size() < 16) {
    sodium_memzero(buf, sizeof buf);
    return make_error("bad_admin_token", file.string() + " holds a token shorter than 16 characters");
  }
  AdminTokenCheck check;
  check.hash_ = hash_of(text);
  sodium_memzero(buf, sizeof buf);
  return check;
}

bool AdminTokenCheck::matches(std::string_view presented) const {
  if (presented.empty() || presented.size() > max_file_bytes) return false;
  auto h = hash_of(presented);
  return sodium_memcmp(h.data(), hash_.data(), h.size()) == 0;
}

}  // namespace ifex
