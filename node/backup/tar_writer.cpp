#include "node/backup/tar_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "node/backup/tar_format.hpp"

namespace ifex::tar {

Result<Writer> Writer::create(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return make_error("archive_create",
                      "cannot create " + file.string() + ": " + std::strerror(errno));
  // An existing file keeps its old mode through O_CREAT: the archive holds secrets.
  if (::fchmod(fd, 0600) != 0) {
    const int err = errno;
    ::close(fd);
    return make_error("archive_create",
                      "cannot chmod " + file.string() + ": " + std::strerror(err));
  }
  return Writer(fd, file);
}

Writer::Writer(Writer&& other) noexcept
    : fd_(other.fd_), file_(std::move(other.file_)), offset_(other.offset_) {
  other.fd_ = -1;
}

Writer::~Writer() {
  if (fd_ >= 0) ::close(fd_);
}

Error Writer::io_error(const char* what, int err) const {
  if (err == ENOSPC || err == EDQUOT)
    return make_error("disk_full", "the disk is full writing " + file_.string() +
                                       ": free space there or write the backup elsewhere");
  return make_error("archive_write",
                    std::string(what) + " " + file_.string() + ": " + std::strerror(err));
}

Status Writer::write_all(const std::uint8_t* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd_, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("cannot write", errno);
    data += n;
    size -= static_cast<std::size_t>(n);
    offset_ += static_cast<std::uint64_t>(n);
  }
  return Status::success();
}

Status Writer::begin_member(const std::string& name, std::uint32_t mode, std::uint64_t mtime) {
  open_ = true;
  header_at_ = offset_;
  name_ = name;
  mode_ = mode;
  mtime_ = mtime;
  size_ = 0;
  const Block placeholder = encode_header(Header{name, mode, 0, mtime});
  return write_all(placeholder.data(), placeholder.size());
}

Status Writer::write(ByteView data) {
  size_ += data.size();
  return write_all(data.data(), data.size());
}

Status Writer::end_member() {
  static const Block zeros{};
  if (auto s = write_all(zeros.data(), padding_for(size_)); !s) return s;
  const Block header = encode_header(Header{name_, mode_, size_, mtime_});
  if (::pwrite(fd_, header.data(), header.size(), static_cast<off_t>(header_at_)) !=
      static_cast<ssize_t>(header.size()))
    return io_error("cannot write", errno);
  open_ = false;
  return Status::success();
}

Status Writer::finish() {
  static const Block zeros{};
  for (int i = 0; i < 2; ++i)
    if (auto s = write_all(zeros.data(), zeros.size()); !s) return s;
  if (::fsync(fd_) != 0) return io_error("cannot sync", errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return io_error("cannot close", errno);
  return Status::success();
}

}  // namespace ifex::tar
