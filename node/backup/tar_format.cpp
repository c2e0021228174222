#include "node/backup/tar_format.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace ifex::tar {

namespace {

// Field offsets and lengths of the ustar header.
constexpr std::size_t name_at = 0, name_len = 100;
constexpr std::size_t mode_at = 100, mode_len = 8;
constexpr std::size_t uid_at = 108, gid_at = 116, id_len = 8;
constexpr std::size_t size_at = 124, size_len = 12;
constexpr std::size_t mtime_at = 136, mtime_len = 12;
constexpr std::size_t chksum_at = 148, chksum_len = 8;
constexpr std::size_t type_at = 156;
constexpr std::size_t linkname_at = 157, linkname_len = 100;
constexpr std::size_t magic_at = 257;  // "ustar\0" then version "00"
constexpr std::size_t prefix_at = 345, prefix_len = 155;
constexpr std::uint64_t octal_size_limit = std::uint64_t{1} << 33;  // 11 octal digits

// `len - 1` octal digits, zero-filled, then a NUL.
void put_octal(Block& b, std::size_t at, std::size_t len, std::uint64_t value) {
  b[at + len - 1] = 0;
  for (std::size_t i = len - 1; i-- > 0;) {
    b[at + i] = static_cast<std::uint8_t>('0' + (value & 7));
    value >>= 3;
  }
}

unsigned checksum_of(std::span<const std::uint8_t, block_size> b) {
  unsigned sum = 0;
  for (std::size_t i = 0; i < block_size; ++i)
    sum += (i >= chksum_at && i < chksum_at + chksum_len) ? ' ' : b[i];
  return sum;
}

// An octal field: optional leading spaces, digits, then NULs or spaces to the end. At least
// one digit. Anything else is refused rather than guessed.
std::optional<std::uint64_t> get_octal(std::span<const std::uint8_t, block_size> b, std::size_t at,
                                       std::size_t len) {
  std::size_t i = at, end = at + len;
  while (i < end && b[i] == ' ') ++i;
  std::uint64_t value = 0;
  std::size_t digits = 0;
  for (; i < end && b[i] >= '0' && b[i] <= '7'; ++i, ++digits) {
    if (value >> 60) return std::nullopt;
    value = value * 8 + (b[i] - '0');
  }
  if (digits == 0) return std::nullopt;
  for (; i < end; ++i)
    if (b[i] != 0 && b[i] != ' ') return std::nullopt;
  return value;
}

std::optional<std::uint64_t> get_size(std::span<const std::uint8_t, block_size> b) {
  if (b[size_at] != 0x80) return get_octal(b, size_at, size_len);
  // Base-256: the remaining 11 bytes big-endian; more than 63 bits is refused.
  std::uint64_t value = 0;
  for (std::size_t i = 1; i < size_len; ++i) {
    if (value >> 55) return std::nullopt;
    value = (value << 8) | b[size_at + i];
  }
  return value;
}

bool all_zero(std::span<const std::uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t c) { return c == 0; });
}

// The NUL-terminated text of a field (the whole field when it has no NUL).
std::string field_text(std::span<const std::uint8_t, block_size> b, std::size_t at,
                       std::size_t len) {
  const auto* begin = reinterpret_cast<const char*>(b.data() + at);
  return std::string(begin, strnlen(begin, len));
}

}  // namespace

bool is_safe_member_name(const std::string& name) {
  if (name.empty() || name.size() >= name_len || name.front() == '/' || name.back() == '/')
    return false;
  for (char c : name)
    if (c < 0x21 || c > 0x7e || c == '\\') return false;
  std::string_view rest = name;
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const std::string_view part = rest.substr(0, slash);
    if (part.empty() || part == "." || part == "..") return false;
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
  }
  return true;
}

Block encode_header(const Header& h) {
  Block b{};
  std::memcpy(b.data() + name_at, h.name.data(), std::min(h.name.size(), name_len - 1));
  put_octal(b, mode_at, mode_len, h.mode & 07777);
  put_octal(b, uid_at, id_len, 0);
  put_octal(b, gid_at, id_len, 0);
  if (h.size < octal_size_limit) {
    put_octal(b, size_at, size_len, h.size);
  } else {
    b[size_at] = 0x80;
    std::uint64_t v = h.size;
    for (std::size_t i = size_len; i-- > 1;) {
      b[size_at + i] = static_cast<std::uint8_t>(v & 0xff);
      v >>= 8;
    }
  }
  put_octal(b, mtime_at, mtime_len, h.mtime & (octal_size_limit - 1));
  b[type_at] = '0';
  std::memcpy(b.data() + magic_at,
              "ustar\0"
              "00",
              8);
  const unsigned sum = checksum_of(b);
  // Six octal digits, a NUL and a space: the form the standard's own tools write.
  put_octal(b, chksum_at, 7, sum);
  b[chksum_at + 7] = ' ';
  return b;
}

Result<std::optional<Header>> decode_header(std::span<const std::uint8_t, block_size> b) {
  if (all_zero(b)) return std::optional<Header>{};
  const auto stored = get_octal(b, chksum_at, chksum_len);
  if (!stored || *stored != checksum_of(b))
    return make_error("tar_checksum",
                      "a member header's checksum is wrong (the archive is "
                      "damaged or was altered)");
  if (std::memcmp(b.data() + magic_at,
                  "ustar\0"
                  "00",
                  8) != 0)
    return make_error("tar_format", "a member header is not a POSIX ustar header");
  if (b[type_at] != '0' && b[type_at] != 0)
    return make_error("tar_member_type", "a member is not a regular file (type '" +
                                             std::string(1, static_cast<char>(b[type_at])) +
                                             "'): links, devices and directories are refused");
  if (!all_zero(b.subspan(linkname_at, linkname_len)) ||
      !all_zero(b.subspan(prefix_at, prefix_len)))
    return make_error("tar_format", "a member header has a link name or a name prefix");
  Header h;
  h.name = field_text(b, name_at, name_len);
  if (!is_safe_member_name(h.name))
    return make_error("tar_unsafe_name",
                      "a member is named \"" + h.name.substr(0, 100) +
                          "\": absolute names, \"..\" and odd characters are refused");
  const auto mode = get_octal(b, mode_at, mode_len);
  const auto size = get_size(b);
  const auto mtime = get_octal(b, mtime_at, mtime_len);
  if (!mode || *mode > 07777 || !size || !mtime)
    return make_error("tar_format", "member " + h.name + " has an unreadable mode, size or time");
  h.mode = static_cast<std::uint32_t>(*mode);
  h.size = *size;
  h.mtime = *mtime;
  return std::optional<Header>{std::move(h)};
}

}  // namespace ifex::tar
