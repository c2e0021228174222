#include "protocol/sim/metrics.hpp"

#include <algorithm>

namespace ifex::sim {

namespace {
constexpr std::size_t failures_kept = 20;
}

std::int64_t Metrics::add_alert(std::uint32_t publisher, std::uint64_t at_us, bool measured) {
  AlertTrace a;
  a.publisher = publisher;
  a.published_us = at_us;
  a.measured = measured;
  a.stored_us.assign(nodes_, never);
  a.copies.assign(nodes_, 0);
  alerts_.push_back(std::move(a));
  return static_cast<std::int64_t>(alerts_.size() - 1);
}

void Metrics::copy_received(std::uint32_t node, std::int64_t alert) {
  if (alert < 0) return;
  auto& c = alerts_[static_cast<std::size_t>(alert)].copies[node];
  if (c < std::numeric_limits<std::uint16_t>::max()) ++c;
}

void Metrics::stored(std::uint32_t node, std::int64_t alert, std::uint64_t at_us) {
  if (alert < 0) return;
  auto& t = alerts_[static_cast<std::size_t>(alert)].stored_us[node];
  t = std::min(t, at_us);
}

void Metrics::add_equivocation(const PublicKey& author, std::uint32_t node, std::uint64_t at_us,
                               std::optional<std::uint64_t> heal_us) {
  equivocations_.push_back(
      {author, node, at_us, std::vector<std::uint64_t>(nodes_, never), heal_us});
}

void Metrics::fork_proof_held(std::uint32_t node, const PublicKey& author, std::uint64_t at_us) {
  for (auto& e : equivocations_)
    if (e.author == author) e.proof_us[node] = std::min(e.proof_us[node], at_us);
}

void Metrics::sent(const GossipMessage& message, std::size_t bytes, bool to_sybil) {
  Traffic& t = to_sybil ? to_sybils_ : honest_;
  ++t.count[message.index()];
  t.bytes[message.index()] += bytes;
}

void Metrics::failure(std::uint64_t at_us, std::string what) {
  if (failures_.size() < failures_kept)
    failures_.push_back("t=" + std::to_string(at_us / 1000) + "ms " + std::move(what));
  ++failure_count_;
}

}  // namespace ifex::sim
