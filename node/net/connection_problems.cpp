#include "node/net/connection_problems.hpp"

#include <algorithm>

namespace ifex {

std::string_view problem_name(ConnectionProblem problem) {
  switch (problem) {
    case ConnectionProblem::network_key:
      return "network_key";
    case ConnectionProblem::not_welcome:
      return "not_welcome";
    case ConnectionProblem::duplicate_identity:
      return "duplicate_identity";
    case ConnectionProblem::wrong_peer_key:
      return "wrong_peer_key";
    case ConnectionProblem::timeout:
      return "timeout";
    case ConnectionProblem::other:
      return "other";
  }
  return "other";
}

WarnLimiter::WarnLimiter(std::uint64_t interval_ms, std::size_t max_subjects)
    : interval_ms_(interval_ms), max_subjects_(std::max<std::size_t>(max_subjects, 1)) {}

std::optional<std::uint64_t> WarnLimiter::allow(ConnectionProblem problem,
                                                const std::string& subject, std::uint64_t now_ms) {
  MutexLock lock(mutex_);
  auto key = std::make_pair(static_cast<std::size_t>(problem), subject);
  auto it = seen_.find(key);
  if (it == seen_.end()) {
    if (seen_.size() >= max_subjects_) {
      auto oldest = std::min_element(seen_.begin(), seen_.end(), [](const auto& a, const auto& b) {
        return a.second.logged_ms < b.second.logged_ms;
      });
      seen_.erase(oldest);
    }
    seen_.emplace(std::move(key), Seen{now_ms, 0});
    return 0;
  }
  Seen& s = it->second;
  if (now_ms - s.logged_ms < interval_ms_) {
    ++s.held_back;
    return std::nullopt;
  }
  std::uint64_t held = s.held_back;
  s = Seen{now_ms, 0};
  return held;
}

}  // namespace ifex
