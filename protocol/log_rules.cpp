#include "protocol/log_rules.hpp"

#include <algorithm>

#include "protocol/canonical.hpp"

namespace ifex {

ChainFit fit_entry(const LogHead& head, const SignedEntry& e) {
  if (e.seq() <= head.seq) return ChainFit::known_seq;
  if (e.seq() > head.seq + 1) return ChainFit::gap;
  // seq 1 carries an all-zero prev, and an empty head's id is all zero too.
  return e.prev() == head.id ? ChainFit::next : ChainFit::prev_mismatch;
}

LogHead head_after(const SignedEntry& e) { return LogHead{e.seq(), e.id()}; }

Result<ForkProof> make_fork_proof(SignedEntry a, SignedEntry b) {
  if (a.author() != b.author())
    return make_error("bad_fork_proof", "the two entries have different authors");
  if (a.seq() != b.seq()) return make_error("bad_fork_proof", "the two entries have different seq");
  if (a.id() == b.id()) return make_error("bad_fork_proof", "the two entries are the same entry");
  if (b.id() < a.id()) std::swap(a, b);
  return ForkProof(std::move(a), std::move(b));
}

namespace {
constexpr std::uint8_t fork_proof_format = 1;
}

Bytes encode_fork_proof(const ForkProof& proof) {
  CanonicalWriter w;
  w.u8(fork_proof_format);
  w.bytes(proof.first().bytes());
  w.bytes(proof.second().bytes());
  return w.finish();
}

Result<ForkProof> decode_fork_proof(ByteView bytes, const EntryLimits& limits) {
  return decode_guarded<ForkProof>([&]() -> Result<ForkProof> {
    CanonicalReader r(bytes);
    if (std::uint8_t format = r.u8(); format != fork_proof_format)
      return make_error("unknown_version", "unknown fork proof format " + std::to_string(format));
    Bytes a_bytes = r.bytes(limits.max_entry_bytes, "the first entry");
    Bytes b_bytes = r.bytes(limits.max_entry_bytes, "the second entry");
    r.expect_end("the fork proof");
    auto a = decode_entry(a_bytes, limits);
    if (!a) return a.error();
    auto b = decode_entry(b_bytes, limits);
    if (!b) return b.error();
    auto proof = make_fork_proof(std::move(*a), std::move(*b));
    if (!proof) return proof.error();
    if (proof->first().bytes() != a_bytes)
      return make_error("not_canonical", "fork proof entries are not ordered by id");
    return proof;
  });
}

bool PendingEntries::hold(SignedEntry entry) {
  if (count_ >= max_entries_) return false;
  auto& slot = held_[entry.author()][entry.seq()];
  for (const auto& e : slot)
    if (e.id() == entry.id()) return true;  // already held
  slot.push_back(std::move(entry));
  ++count_;
  return true;
}

std::vector<SignedEntry> PendingEntries::take_ready(const PublicKey& author, const LogHead& head) {
  std::vector<SignedEntry> ready;
  auto it = held_.find(author);
  if (it == held_.end()) return ready;
  auto& by_seq = it->second;
  // Drop what the log already covers.
  while (!by_seq.empty() && by_seq.begin()->first <= head.seq) {
    count_ -= by_seq.begin()->second.size();
    by_seq.erase(by_seq.begin());
  }
  LogHead cursor = head;
  while (!by_seq.empty() && by_seq.begin()->first == cursor.seq + 1) {
    auto& candidates = by_seq.begin()->second;
    // Of several candidates for one seq only the one chained to the cursor continues the log.
    // The others come back right after it, so the caller's normal append finds them at a known
    // seq and turns them into a fork proof.
    auto match = std::find_if(candidates.begin(), candidates.end(),
                              [&](const SignedEntry& e) { return e.prev() == cursor.id; });
    if (match == candidates.end()) {
      // None chains to the log, and none ever will: the log is append-only. Hand them back (the
      // caller's fit_entry says prev_mismatch) instead of holding them until take_all.
      for (auto& e : candidates) ready.push_back(std::move(e));
      count_ -= candidates.size();
      by_seq.erase(by_seq.begin());
      break;
    }
    cursor = head_after(*match);
    ready.push_back(std::move(*match));
    for (auto& other : candidates)
      if (&other != &*match) ready.push_back(std::move(other));
    count_ -= candidates.size();
    by_seq.erase(by_seq.begin());
  }
  if (by_seq.empty()) held_.erase(it);
  return ready;
}

std::vector<SignedEntry> PendingEntries::take_all() {
  std::vector<SignedEntry> all;
  for (auto& [author, by_seq] : held_)
    for (auto& [seq, candidates] : by_seq)
      for (auto& e : candidates) all.push_back(std::move(e));
  held_.clear();
  count_ = 0;
  return all;
}

}  // namespace ifex
