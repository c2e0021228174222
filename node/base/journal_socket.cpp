#include "node/base/journal_socket.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ifex {

namespace {

constexpr int send_flags = MSG_DONTWAIT | MSG_NOSIGNAL;

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

bool JournalSocket::open(const std::string& path) {
  close();
  sockaddr_un addr{};
  if (path.empty() || path.size() >= sizeof addr.sun_path) return false;
  // Non-blocking as well as MSG_DONTWAIT: connect() must not wait either.
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return false;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return false;
  }
  fd_ = fd;
  return true;
}

void JournalSocket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool JournalSocket::send(std::string_view record) {
  if (fd_ < 0) return false;
  for (int attempt = 0; attempt < 2; ++attempt) {  // once more after an interrupting signal
    if (::send(fd_, record.data(), record.size(), send_flags) >= 0) return true;
    if (errno == EMSGSIZE || errno == ENOBUFS) return send_as_memfd(record);
    if (errno != EINTR) return false;
  }
  return false;
}

bool JournalSocket::send_as_memfd(std::string_view record) {
  const int memfd = ::memfd_create("ifexnode-journal", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (memfd < 0) return false;
  // journald reads a passed memfd only when sealed: the sender can no longer change it.
  bool ok = write_all(memfd, record) &&
            ::fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) == 0;
  if (ok) {
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cmsg), &memfd, sizeof(int));
    ok = ::sendmsg(fd_, &msg, send_flags) >= 0;
  }
  ::close(memfd);
  return ok;
}

}  // namespace ifex
