#include "node/cli/doctor_probe.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace ifex::cli {

namespace {

constexpr std::size_t max_answer_bytes = 16 * 1024;  // headers of /healthz fit many times over

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

struct AddrList {
  addrinfo* list = nullptr;
  ~AddrList() {
    if (list) ::freeaddrinfo(list);
  }
};

int remaining_ms(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

bool wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, remaining_ms(deadline)) == 1;
}

std::string header_value(const std::string& head, const std::string& lower_name) {
  std::size_t at = 0;
  while ((at = head.find("\r\n", at)) != std::string::npos) {
    at += 2;
    std::size_t end = head.find("\r\n", at);
    std::string line = head.substr(at, end == std::string::npos ? std::string::npos : end - at);
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name != lower_name) continue;
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    return value;
  }
  return {};
}

}  // namespace

std::optional<std::int64_t> parse_http_date(const std::string& text) {
  std::tm tm{};
  const char* end = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  return static_cast<std::int64_t>(::timegm(&tm));
}

ProbeResult probe_http(const std::string& host, std::uint16_t port,
                       std::chrono::milliseconds timeout) {
  ProbeResult out;
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + timeout;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  AddrList addrs;
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &addrs.list);
      rc != 0) {
    out.error = std::string("cannot resolve the host: ") + ::gai_strerror(rc);
    return out;
  }
  Fd sock;
  for (addrinfo* a = addrs.list; a && !out.reached; a = a->ai_next) {
    Fd s{::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol)};
    if (s.fd < 0) continue;
    if (::connect(s.fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
      out.error = std::strerror(errno);
      continue;
    }
    if (!wait_for(s.fd, POLLOUT, deadline)) {
      out.error = "no answer within " + std::to_string(timeout.count()) + " ms";
      continue;
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      out.error = std::strerror(err);
      continue;
    }
    out.reached = true;
    std::swap(sock.fd, s.fd);
  }
  if (!out.reached) return out;
  out.error.clear();
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: " + host +
                              "\r\nConnection: close\r\nUser-Agent: ifexnode-doctor\r\n\r\n";
  std::size_t sent = 0;
  while (sent < request.size()) {
    if (!wait_for(sock.fd, POLLOUT, deadline)) {
      out.error = "timed out sending the request";
      return out;
    }
    ssize_t n = ::send(sock.fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN) {
      out.error = std::string("send: ") + std::strerror(errno);
      return out;
    }
    if (n > 0) sent += static_cast<std::size_t>(n);
  }
  std::string answer;
  while (answer.find("\r\n\r\n") == std::string::npos && answer.size() < max_answer_bytes) {
    if (!wait_for(sock.fd, POLLIN, deadline)) {
      out.error = "timed out reading the answer";
      break;
    }
    char buf[4096];
    ssize_t n = ::recv(sock.fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EAGAIN) continue;
    if (n <= 0) break;
    answer.append(buf, static_cast<std::size_t>(n));
  }
  out.took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  if (answer.rfind("HTTP/1.", 0) != 0 || answer.size() < 12) {
    if (out.error.empty()) out.error = "the answer is not HTTP";
    return out;
  }
  out.http_status = std::atoi(answer.substr(9, 3).c_str());
  std::string head = answer.substr(0, answer.find("\r\n\r\n"));
  out.date_unix_s = parse_http_date(header_value(head, "date"));
  return out;
}

bool can_bind(const std::string& host, std::uint16_t port, std::string& why) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
  AddrList addrs;
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &addrs.list);
      rc != 0) {
    why = std::string("not a numeric address: ") + ::gai_strerror(rc);
    return false;
  }
  Fd s{::socket(addrs.list->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (s.fd < 0) {
    why = std::strerror(errno);
    return false;
  }
  int one = 1;
  ::setsockopt(s.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // as the node binds
  if (::bind(s.fd, addrs.list->ai_addr, addrs.list->ai_addrlen) != 0) {
    why = std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace ifex::cli
