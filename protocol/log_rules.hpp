// The rules of an author's log as pure functions: where a verified entry fits, and the fork
// proof that two different entries at one (author, seq) make. See docs/protocol.md ("Log rules").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "keys/bytes.hpp"
#include "keys/result.hpp"
#include "protocol/entry.hpp"

namespace ifex {

// The last entry of an author's log as this node holds it; seq 0 means the log is empty.
struct LogHead {
  std::uint64_t seq = 0;
  Hash id;
  friend bool operator==(const LogHead&, const LogHead&) = default;
};

enum class ChainFit {
  next,           // seq == head.seq + 1 and prev == head.id: append it
  known_seq,      // seq <= head.seq: a duplicate, or a fork if it differs from the stored entry
  gap,            // seq > head.seq + 1: hold until the missing entries arrive
  prev_mismatch,  // seq == head.seq + 1 but prev names another entry: the author forked earlier
};

ChainFit fit_entry(const LogHead& head, const SignedEntry& entry);
LogHead head_after(const SignedEntry& entry);

// Proof that an author signed two different entries with the same seq. Anyone can check it; it
// freezes the author's log on every node that learns of it.
class ForkProof {
 public:
  const SignedEntry& first() const { return first_; }   // the smaller id
  const SignedEntry& second() const { return second_; }
  const PublicKey& author() const { return first_.author(); }
  std::uint64_t seq() const { return first_.seq(); }

 private:
  friend Result<ForkProof> make_fork_proof(SignedEntry a, SignedEntry b);
  ForkProof(SignedEntry a, SignedEntry b) : first_(std::move(a)), second_(std::move(b)) {}
  SignedEntry first_;
  SignedEntry second_;
};

// Succeeds when a and b share author and seq and differ; orders them by id.
[[nodiscard]] Result<ForkProof> make_fork_proof(SignedEntry a, SignedEntry b);

// Layout: 0x01, u8 format (1), u64 length + first entry, u64 length + second entry.
Bytes encode_fork_proof(const ForkProof& proof);
// Verifies both signatures and the proof's rules.
[[nodiscard]] Result<ForkProof> decode_fork_proof(ByteView bytes, const EntryLimits& limits);

// Holds verified entries that arrived ahead of their predecessors, bounded in count, and gives
// them back in chain order once the gap closes. Not thread-safe.
class PendingEntries {
 public:
  explicit PendingEntries(std::size_t max_entries) : max_entries_(max_entries) {}

  // False when full (the entry is dropped; it can be fetched again later).
  bool hold(SignedEntry entry);
  // Removes and returns the held entries that continue `head` contiguously, in seq order; a
  // conflicting candidate for a seq follows the one that fits. Entries at or below head.seq are
  // discarded. Candidates for the next seq none of which chains to the cursor end the run and
  // are returned too (they can never fit: fit_entry says prev_mismatch).
  std::vector<SignedEntry> take_ready(const PublicKey& author, const LogHead& head);
  // Removes everything still held (returns it, e.g. to report as rejected).
  std::vector<SignedEntry> take_all();
  std::size_t size() const { return count_; }

 private:
  std::size_t max_entries_;
  std::size_t count_ = 0;
  std::map<PublicKey, std::map<std::uint64_t, std::vector<SignedEntry>>> held_;
};

}  // namespace ifex
