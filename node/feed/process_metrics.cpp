#include "node/feed/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace ifex {

namespace {

Metric gauge(std::string name, std::string help, double v, std::string type = "gauge") {
  return Metric{std::move(name), std::move(help), std::move(type), {{{}, v}}, 0, 0};
}

// Fields of /proc/self/stat after the command name (which may hold spaces and parentheses):
// fields[0] is field 3 of proc(5), "state".
std::vector<std::string> stat_fields() {
  std::ifstream in("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(text.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;
}

// The boot time (seconds since the epoch), from /proc/stat's btime line.
double boot_time() {
  std::ifstream in("/proc/stat");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
  return -1;
}

}  // namespace

std::vector<Metric> process_metrics() {
  std::vector<Metric> out;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  auto f = stat_fields();
  // proc(5): utime 14, stime 15, starttime 22, vsize 23, rss 24 (field n is f[n - 3]).
  if (f.size() > 21 && ticks > 0) {
    try {
      out.push_back(gauge("process_cpu_seconds_total", "User and system CPU time spent in seconds",
                          (std::stod(f[11]) + std::stod(f[12])) / ticks, "counter"));
      out.push_back(
          gauge("process_virtual_memory_bytes", "Virtual memory size in bytes", std::stod(f[20])));
      out.push_back(gauge("process_resident_memory_bytes", "Resident memory size in bytes",
                          std::stod(f[21]) * page));
      if (double boot = boot_time(); boot >= 0)
        out.push_back(gauge("process_start_time_seconds",
                            "Start time of the process since unix epoch in seconds",
                            boot + std::stod(f[19]) / ticks));
    } catch (const std::exception&) {
      // A field that is not a number: leave the rest out.
    }
  }
  std::error_code ec;
  std::size_t fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++fds;
  // The iterator's own descriptor is counted too, as client libraries do.
  if (!ec) out.push_back(gauge("process_open_fds", "Number of open file descriptors", fds));
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    out.push_back(gauge("process_max_fds", "Maximum number of open file descriptors",
                        static_cast<double>(limit.rlim_cur)));
  return out;
}

}  // namespace ifex
