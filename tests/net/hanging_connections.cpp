#include "tests/net/hanging_connections.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ifex::test::net {

using Clock = std::chrono::steady_clock;

namespace {

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace

HangingConnections::HangingConnections(std::string source, int port)
    : source_(std::move(source)), port_(port) {}

HangingConnections::~HangingConnections() {
  quit_ = true;
  if (thread_.joinable()) thread_.join();
  for (auto& c : conns_)
    if (c.fd >= 0) ::close(c.fd);
}

void HangingConnections::start(std::size_t count_per_kind, bool refill) {
  refill_ = refill;
  for (std::size_t i = 0; i < count_per_kind; ++i) {
    open_one(Kind::silent);
    open_one(Kind::upgrade);
  }
  thread_ = std::thread([this] { run(); });
}

void HangingConnections::stop_refilling() { refill_ = false; }

void HangingConnections::open_one(Kind kind) {
  ++report_.opened;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ++report_.refused_at_connect;
    return;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  ::inet_pton(AF_INET, source_.c_str(), &local.sin_addr);
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(static_cast<std::uint16_t>(port_));
  remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
      (::connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0 &&
       errno != EINPROGRESS)) {
    ::close(fd);
    ++report_.refused_at_connect;
    return;
  }
  conns_.push_back(Conn{fd, kind, Clock::now(), false, false});
  ++open_now_;
}

void HangingConnections::closed(Conn& c, bool by_node) {
  ::close(c.fd);
  c.fd = -1;
  --open_now_;
  if (!by_node) {
    ++report_.refused_at_connect;
    return;
  }
  ++report_.closed_by_node;
  report_.life_ms[c.kind == Kind::upgrade].push_back(ms_between(c.opened, Clock::now()));
}

void HangingConnections::run() {
  const std::string upgrade = "GET /gossip HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) +
                              "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                              "Sec-WebSocket-Version: 13\r\n\r\n";
  std::vector<pollfd> fds;
  std::vector<std::size_t> index;
  char buf[4096];
  while (!quit_) {
    fds.clear();
    index.clear();
    for (std::size_t i = 0; i < conns_.size(); ++i) {
      if (conns_[i].fd < 0) continue;
      short events = conns_[i].connected ? POLLIN | POLLRDHUP : POLLOUT;
      fds.push_back(pollfd{conns_[i].fd, events, 0});
      index.push_back(i);
    }
    if (fds.empty() && !refill_) break;
    if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
    std::vector<Kind> to_refill;
    for (std::size_t k = 0; k < fds.size(); ++k) {
      if (fds[k].revents == 0) continue;
      Conn& c = conns_[index[k]];
      if (!c.connected) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
          closed(c, false);
          continue;
        }
        c.connected = true;
        // The request is a few hundred bytes: it fits the empty send buffer in one write.
        if (c.kind == Kind::upgrade && ::send(c.fd, upgrade.data(), upgrade.size(), MSG_NOSIGNAL) < 0) {
          closed(c, true);
          to_refill.push_back(c.kind);
        }
        continue;
      }
      for (;;) {
        ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
        if (n > 0) {
          if (!c.answered && std::strncmp(buf, "HTTP/1.1 101", 12) == 0) {
            c.answered = true;
            ++report_.upgrades_answered;
          }
          continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        closed(c, true);  // end of stream or reset: the node let go
        to_refill.push_back(c.kind);
        break;
      }
    }
    if (refill_)
      for (Kind kind : to_refill) open_one(kind);
    // Forget closed slots now and then so the poll set stays the size of what is open.
    if (conns_.size() > 2 * open_now_ + 64)
      std::erase_if(conns_, [](const Conn& c) { return c.fd < 0; });
  }
}

HangingConnections::Report HangingConnections::finish(std::chrono::milliseconds deadline) {
  stop_refilling();
  const auto until = Clock::now() + deadline;
  // Bounded: the thread reports each close as it sees it.
  while (open_now_ > 0 && Clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  quit_ = true;
  if (thread_.joinable()) thread_.join();
  report_.still_open = open_now_;
  return report_;
}

}  // namespace ifex::test::net
