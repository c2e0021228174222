// The one check of a received entry, whatever path it came by (gossip, bundle import, the
// simulator): decode and verify the signature (decode_entry), validate the payload by its row in
// the kind table (protocol/entry_kinds.hpp), then the clock-skew policy. Pure: the caller hands
// in "now" and the bound. What is not checked here is the caller's: the roster (bundle import),
// the log rules against the store (Store::append), the peer's standing (gossip).
#pragma once

#include <cstdint>
#include <optional>

#include "keys/bytes.hpp"
#include "keys/result.hpp"
#include "protocol/entry.hpp"
#include "protocol/entry_kinds.hpp"

namespace ifex {

// The receiver's clock and how far ahead of it an entry may be dated.
struct ClockPolicy {
  std::uint64_t now_ms = 0;  // wall clock, ms since the Unix epoch
  std::uint64_t max_skew_ms = 0;
};

struct EntryCheckPolicy {
  EntryLimits limits;
  // nullopt: no date check (the simulator, whose clocks are not wall clocks).
  std::optional<ClockPolicy> clock;
};

enum class EntryVerdict : std::uint8_t {
  accepted,
  invalid,    // not a valid entry: decoding, signature or payload failed
  in_future,  // valid, but dated too far ahead of the clock; fits once the clock catches up
};

struct EntryCheck {
  EntryVerdict verdict = EntryVerdict::invalid;
  // Set once the bytes decoded and the signature verified, so a refusal for the payload or the
  // date can still name the entry (author, seq, id).
  std::optional<SignedEntry> entry;
  // The entry's row; set with `entry`.
  const EntryKindRow* kind = nullptr;
  // Set unless accepted.
  std::optional<Error> error;

  bool accepted() const { return verdict == EntryVerdict::accepted; }
};

// Checks `bytes` as described above. Never throws. A reserved kind with a valid signature and
// structure is accepted: its payload is carried, not read.
[[nodiscard]] EntryCheck check_entry(ByteView bytes, const EntryCheckPolicy& policy);

}  // namespace ifex
