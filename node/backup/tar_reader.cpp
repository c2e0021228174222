#include "node/backup/tar_reader.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace ifex::tar {

namespace {
constexpr std::size_t chunk_size = std::size_t{1} << 20;
}

Status Reader::read_exact(std::uint8_t* out, std::size_t size) {
  while (size > 0) {
    auto n = read_(out, size);
    if (!n) return n.error();
    if (*n == 0)
      return make_error("archive_truncated", "the archive ends at byte " + std::to_string(offset_) +
                                                 ", inside a member or before its end blocks: "
                                                 "it is truncated");
    out += *n;
    size -= *n;
    offset_ += *n;
  }
  return Status::success();
}

Result<std::optional<Header>> Reader::next() {
  if (!data_read_) {
    if (auto s = read_data([](ByteView) { return Status::success(); }); !s) return s.error();
  }
  Block block;
  if (auto s = read_exact(block.data(), block.size()); !s) return s.error();
  auto header = decode_header(block);
  if (!header) return header.error();
  if (!*header) {
    if (auto s = check_end(); !s) return s.error();
    current_.reset();
    return std::optional<Header>{};
  }
  current_ = **header;
  data_read_ = false;
  return *header;
}

Status Reader::check_end() {
  // A second zero block, then only zeros (GNU tar pads to 10 KiB records) until the input ends.
  Block block;
  if (auto s = read_exact(block.data(), block.size()); !s) return s;
  std::vector<std::uint8_t> rest(block.begin(), block.end());
  for (;;) {
    if (std::any_of(rest.begin(), rest.end(), [](std::uint8_t c) { return c != 0; }))
      return make_error("archive_trailing_data",
                        "the archive holds data after its end-of-archive blocks");
    rest.resize(chunk_size);
    auto n = read_(rest.data(), rest.size());
    if (!n) return n.error();
    if (*n == 0) return Status::success();
    rest.resize(*n);
  }
}

Status Reader::read_data(const std::function<Status(ByteView)>& sink) {
  if (!current_ || data_read_)
    return make_error("archive_usage", "no member's data is left to read");
  data_read_ = true;
  std::vector<std::uint8_t> buf(chunk_size);
  std::uint64_t left = current_->size;
  while (left > 0) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size()));
    if (auto s = read_exact(buf.data(), n); !s) return s;
    if (auto s = sink(ByteView(buf.data(), n)); !s) return s;
    left -= n;
  }
  const std::size_t pad = padding_for(current_->size);
  if (auto s = read_exact(buf.data(), pad); !s) return s;
  if (std::any_of(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(pad),
                  [](std::uint8_t c) { return c != 0; }))
    return make_error("tar_format", "member " + current_->name + " is padded with non-zero bytes");
  return Status::success();
}

ReadFn fd_source(int fd) {
  return [fd](std::uint8_t* out, std::size_t size) -> Result<std::size_t> {
    for (;;) {
      const ssize_t n = ::read(fd, out, size);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR)
        return make_error("archive_read",
                          std::string("cannot read the archive: ") + std::strerror(errno));
    }
  };
}

}  // namespace ifex::tar
