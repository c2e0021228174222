// A clock in parts (gossip version 3, docs/protocol.md "Gossip messages" and "Replication"): the
// sender cuts its clock into parts that each fit one message; the receiver gathers them and
// gets the clock back when the last part arrives. Pure, like the rest of protocol/.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "keys/result.hpp"
#include "protocol/gossip_messages.hpp"

namespace ifex {

// `clock` as parts of at most max_message_bytes each, in its order: as few parts as fit (one
// for an empty clock), the last with `last` set. REQUIRES: max_message_bytes holds a part of
// one entry (84 bytes).
std::vector<ClockPartMsg> split_clock(const ClockMsg& clock, std::size_t max_message_bytes);

// The parts one peer sends, gathered into its clock. Bounded: the entries of all parts of one
// clock together may be at most max_authors, so a peer cannot make us buffer without end.
// Not thread-safe (owned by the replicator, per peer).
class ClockAssembler {
 public:
  explicit ClockAssembler(std::size_t max_authors) : max_authors_(max_authors) {}

  // The whole clock when `part` is the last, nullopt while more parts are due. Errors (the
  // caller closes the connection): `too_many` when the parts so far list more than max_authors;
  // `bad_clock` when a part's relay flag differs from the first part's.
  [[nodiscard]] Result<std::optional<ClockMsg>> add(ClockPartMsg part);
  // Parts have arrived but not the last yet.
  bool in_progress() const { return in_progress_; }

 private:
  std::size_t max_authors_;
  bool in_progress_ = false;
  ClockMsg pending_;  // the parts so far, while in_progress_
};

}  // namespace ifex
