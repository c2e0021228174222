// What the simulation observes while it runs: for each alert, when each node stored it and how
// many copies each node received; who held a fork proof when; the bytes each kind of message
// cost. report.hpp turns these into the figures.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "keys/bytes.hpp"
#include "protocol/gossip_messages.hpp"

namespace ifex::sim {

inline constexpr std::uint64_t never = std::numeric_limits<std::uint64_t>::max();
inline constexpr std::size_t message_types = std::variant_size_v<GossipMessage>;

struct AlertTrace {
  std::uint32_t publisher = 0;
  std::uint64_t published_us = 0;
  bool measured = true;                  // false for the warm-up alerts
  std::vector<std::uint64_t> stored_us;  // per node; `never` if it never stored it
  std::vector<std::uint16_t> copies;     // per node: copies received from peers
};

struct EquivocationTrace {
  PublicKey author;
  std::uint32_t node = 0;
  std::uint64_t at_us = 0;
  std::vector<std::uint64_t> proof_us;  // per node: first held a fork proof of `author`
  std::optional<std::uint64_t> heal_us;  // behind a partition: when it heals
};

struct Traffic {
  std::array<std::uint64_t, message_types> count{};
  std::array<std::uint64_t, message_types> bytes{};
};

class Metrics {
 public:
  explicit Metrics(std::size_t nodes) : nodes_(nodes) {}

  // Returns the alert's index.
  std::int64_t add_alert(std::uint32_t publisher, std::uint64_t at_us, bool measured);
  void copy_received(std::uint32_t node, std::int64_t alert);
  void stored(std::uint32_t node, std::int64_t alert, std::uint64_t at_us);

  void add_equivocation(const PublicKey& author, std::uint32_t node, std::uint64_t at_us,
                        std::optional<std::uint64_t> heal_us = std::nullopt);
  void fork_proof_held(std::uint32_t node, const PublicKey& author, std::uint64_t at_us);

  // A message put on a link by an honest node; `to_sybil` when the other end is a Sybil.
  void sent(const GossipMessage& message, std::size_t bytes, bool to_sybil);

  // Something an honest pair of nodes should never do (an undecodable message, a message the
  // Replicator rejects); kept for the report and the tests.
  void failure(std::uint64_t at_us, std::string what);

  void forged_sent() { ++forged_sent_; }
  void forged_rejected() { ++forged_rejected_; }
  void entries_refused(std::uint64_t n) { entries_refused_ += n; }

  const std::vector<AlertTrace>& alerts() const { return alerts_; }
  const std::vector<EquivocationTrace>& equivocations() const { return equivocations_; }
  const Traffic& honest_traffic() const { return honest_; }
  const Traffic& to_sybils() const { return to_sybils_; }
  const std::vector<std::string>& failures() const { return failures_; }
  std::uint64_t failure_count() const { return failure_count_; }
  std::uint64_t forged_sent_count() const { return forged_sent_; }
  std::uint64_t forged_rejected_count() const { return forged_rejected_; }
  std::uint64_t entries_refused_count() const { return entries_refused_; }

 private:
  std::size_t nodes_;
  std::vector<AlertTrace> alerts_;
  std::vector<EquivocationTrace> equivocations_;
  Traffic honest_;
  Traffic to_sybils_;
  std::vector<std::string> failures_;  // the first few, in full
  std::uint64_t failure_count_ = 0;
  std::uint64_t forged_sent_ = 0;
  std::uint64_t forged_rejected_ = 0;
  std::uint64_t entries_refused_ = 0;
};

}  // namespace ifex::sim
