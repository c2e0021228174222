#include "node/cli/doctor_probe.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <thread>

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

using Clock = std::chrono::steady_clock;

// One name lookup with getaddrinfo_a, so that it can be given up at a deadline: getaddrinfo
// itself waits as long as the resolver's own timeouts and retries say (often 10 s and more per
// name). Everything the request points to lives here, on the heap, because a lookup that
// cannot be cancelled goes on in the resolver's thread after we stopped waiting.
struct Lookup {
  std::string host;
  std::string service;
  addrinfo hints{};
  gaicb request{};
};

// Fills `addrs` with what HOST:PORT resolves to by `deadline`; false with the reason in `why`.
bool lookup(const std::string& host, std::uint16_t port, bool passive, Clock::time_point deadline,
            AddrList& addrs, std::string& why) {
  auto* l = new Lookup{host, std::to_string(port), {}, {}};
  l->hints.ai_family = AF_UNSPEC;
  l->hints.ai_socktype = SOCK_STREAM;
  l->hints.ai_flags = passive ? AI_PASSIVE : 0;
  l->request.ar_name = l->host.c_str();
  l->request.ar_service = l->service.c_str();
  l->request.ar_request = &l->hints;
  gaicb* list[] = {&l->request};
  if (int rc = ::getaddrinfo_a(GAI_NOWAIT, list, 1, nullptr); rc != 0) {
    why = std::string("cannot resolve the host: ") + ::gai_strerror(rc);
    delete l;
    return false;
  }
  int rc = EAI_INPROGRESS;
  while ((rc = ::gai_error(&l->request)) == EAI_INPROGRESS) {
    const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    timespec wait{static_cast<time_t>(left.count() / 1'000'000'000),
                  static_cast<long>(left.count() % 1'000'000'000)};
    ::gai_suspend(list, 1, &wait);  // returns on completion, timeout or a signal: re-checked
  }
  if (rc == EAI_INPROGRESS) {
    why = "cannot resolve the host: no answer from the resolver in time";
    // Not cancelled: the resolver still uses the request, so it is left to it (a few bytes,
    // at most one per unresolved name, released when this short-lived process ends).
    if (::gai_cancel(&l->request) == EAI_CANCELED) delete l;
    return false;
  }
  if (rc != 0) {
    why = std::string("cannot resolve the host: ") + ::gai_strerror(rc);
    delete l;
    return false;
  }
  addrs.list = l->request.ar_result;
  delete l;
  return true;
}

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
  const auto started_unix_s = static_cast<std::int64_t>(std::time(nullptr));
  AddrList addrs;
  if (!lookup(host, port, false, deadline, addrs, out.error)) return out;
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
  const auto ended_unix_s = static_cast<std::int64_t>(std::time(nullptr));
  if (out.date_unix_s) out.skew_s = *out.date_unix_s - (started_unix_s + ended_unix_s) / 2;
  return out;
}

std::vector<ProbeResult> probe_all(const std::vector<ProbeTarget>& targets,
                                   std::chrono::milliseconds each, Clock::time_point all_by) {
  std::vector<ProbeResult> results(targets.size());
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < targets.size(); i = next++) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(all_by - Clock::now());
      if (left.count() <= 0) {
        results[i].error = "not probed: doctor's time for all peers ran out first";
        continue;
      }
      results[i] = probe_http(targets[i].host, targets[i].port, std::min(each, left));
      if (left < each && results[i].http_status == 0)
        results[i].error += " (cut short: doctor's time for all peers ran out)";
    }
  };
  std::vector<std::thread> workers;
  const std::size_t count = std::min(targets.size(), max_parallel_probes);
  for (std::size_t w = 0; w < count; ++w) workers.emplace_back(work);
  for (auto& t : workers) t.join();
  return results;
}

std::vector<std::string> resolve_host(const std::string& host, std::chrono::milliseconds timeout,
                                      std::string& why) {
  AddrList addrs;
  std::vector<std::string> out;
  if (!lookup(host, 0, false, Clock::now() + timeout, addrs, why)) return out;
  for (addrinfo* a = addrs.list; a; a = a->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* where =
        a->ai_family == AF_INET6
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr);
    if (!::inet_ntop(a->ai_family, where, text, sizeof text)) continue;
    if (std::find(out.begin(), out.end(), text) == out.end()) out.emplace_back(text);
  }
  return out;
}

bool is_ip_address(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

bool can_bind(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout,
              std::string& why) {
  AddrList addrs;
  if (!lookup(host, port, true, Clock::now() + timeout, addrs, why)) return false;
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
