#include "node/bundle/bundle_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

namespace ifex {

namespace {
Error io_error(const std::string& what) {
  return make_error("io", what + ": " + std::strerror(errno));
}
}  // namespace

AtomicFile::AtomicFile(std::filesystem::path target)
    : target_(std::move(target)), temp_(target_.string() + ".partial") {}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_.c_str());
  }
}

Status AtomicFile::open() {
  fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) return io_error("cannot create " + temp_.string());
  return Status::success();
}

Status AtomicFile::write(ByteView bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("cannot write " + temp_.string());
    done += static_cast<std::size_t>(n);
  }
  written_ += bytes.size();
  return Status::success();
}

Status AtomicFile::commit() {
  if (::fsync(fd_) != 0) return io_error("cannot sync " + temp_.string());
  ::close(fd_);
  fd_ = -1;
  if (::rename(temp_.c_str(), target_.c_str()) != 0) {
    auto st = io_error("cannot rename into " + target_.string());
    ::unlink(temp_.c_str());
    return st;
  }
  return Status::success();
}

Result<Bytes> read_whole_file(const std::filesystem::path& file, std::uint64_t max_bytes) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return io_error("cannot open " + file.string());
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec) return make_error("io", "cannot read the size of " + file.string() + ": " + ec.message());
  if (size > max_bytes)
    return make_error("too_large", file.string() + " holds " + std::to_string(size) +
                                       " bytes, over the limit of " + std::to_string(max_bytes));
  Bytes data(static_cast<std::size_t>(size));
  if (size > 0 &&
      !in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(size)))
    return make_error("io", "cannot read " + file.string());
  return data;
}

}  // namespace ifex
