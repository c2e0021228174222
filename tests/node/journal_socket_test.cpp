// The journald connection (node/base/journal_socket): against a datagram socket bound where
// journald's would be, in a temporary directory. Sends never block; a record too large for one
// datagram arrives whole, as a sealed memfd.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "node/base/journal_socket.hpp"

using namespace ifex;

namespace {

// A bound AF_UNIX datagram socket in a fresh temporary directory, removed at the end.
class FakeJournal {
 public:
  FakeJournal() {
    char dir_template[] = "/tmp/ifex-journal-XXXXXX";
    REQUIRE(::mkdtemp(dir_template));
    dir_ = dir_template;
    path_ = dir_ + "/socket";
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path_.data(), path_.size());
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~FakeJournal() {
    ::close(fd_);
    std::filesystem::remove_all(dir_);
  }
  const std::string& path() const { return path_; }

  // One record: a datagram's bytes, or the contents of the descriptor it carried.
  std::string receive(bool& came_as_fd) {
    std::string data(1 << 16, '\0');
    iovec iov{data.data(), data.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(fd_, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    REQUIRE(n >= 0);
    data.resize(static_cast<std::size_t>(n));
    came_as_fd = false;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      int fd = -1;
      std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
      came_as_fd = true;
      // journald refuses an unsealed memfd: the sender must not be able to change it.
      const int seals = ::fcntl(fd, F_GET_SEALS);
      CHECK((seals & (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)) ==
            (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE));
      std::string contents;
      char buf[65536];
      for (ssize_t r; (r = ::pread(fd, buf, sizeof buf, static_cast<off_t>(contents.size()))) > 0;)
        contents.append(buf, static_cast<std::size_t>(r));
      ::close(fd);
      data += contents;
    }
    return data;
  }

 private:
  std::string dir_, path_;
  int fd_ = -1;
};

}  // namespace

TEST_CASE("a small record is one datagram") {
  FakeJournal journal;
  JournalSocket socket;
  REQUIRE(socket.open(journal.path()));
  REQUIRE(socket.send("MESSAGE=hello\n"));
  bool as_fd = true;
  CHECK(journal.receive(as_fd) == "MESSAGE=hello\n");
  CHECK_FALSE(as_fd);
}

TEST_CASE("a record too large for a datagram arrives whole through a sealed memfd") {
  FakeJournal journal;
  JournalSocket socket;
  REQUIRE(socket.open(journal.path()));
  // Far above any datagram limit (net.core.wmem_max is 208 KiB by default).
  const std::string record = "MESSAGE=big\nIFEX_BLOB=" + std::string(4 << 20, 'x') + "\n";
  REQUIRE(socket.send(record));
  bool as_fd = false;
  const std::string got = journal.receive(as_fd);
  CHECK(as_fd);
  CHECK(got.size() == record.size());
  CHECK(got == record);
}

TEST_CASE("a send to a journal that does not read fails at once instead of blocking") {
  FakeJournal journal;
  JournalSocket socket;
  REQUIRE(socket.open(journal.path()));
  // The receiver's queue holds a bounded number of datagrams; a blocking send would hang here.
  int sent = 0;
  bool refused = false;
  for (int i = 0; i < 100000 && !refused; ++i) {
    if (socket.send("MESSAGE=filler " + std::to_string(i) + "\n")) ++sent;
    else refused = true;
  }
  CHECK(refused);
  CHECK(sent > 0);
}

TEST_CASE("no journal: open fails and sends are refused") {
  JournalSocket socket;
  CHECK_FALSE(socket.open("/nonexistent-dir/journal-socket"));
  CHECK_FALSE(socket.is_open());
  CHECK_FALSE(socket.send("MESSAGE=x\n"));
}
