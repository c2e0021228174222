#include "protocol/sim/node_store.hpp"

namespace ifex::sim {

AppendOutcome NodeStore::append(const PooledEntry* pooled) {
  const SignedEntry& e = pooled->entry;
  const PooledEntry* held = at(e.author(), e.seq());
  if (frozen(e.author()))
    return held && held->entry.id() == e.id() ? AppendOutcome::duplicate : AppendOutcome::frozen;
  switch (fit_entry(head(e.author()), e)) {
    case ChainFit::next:
      logs_[e.author()].entries.push_back(pooled);
      return AppendOutcome::stored;
    case ChainFit::known_seq:
      if (held->entry.id() == e.id()) return AppendOutcome::duplicate;
      // The caller makes and records the proof: it has the encoding to pass on.
      return AppendOutcome::fork;
    case ChainFit::gap:
      return AppendOutcome::gap;
    case ChainFit::prev_mismatch:
      return AppendOutcome::prev_mismatch;
  }
  return AppendOutcome::prev_mismatch;
}

const PooledEntry* NodeStore::at(const PublicKey& author, std::uint64_t seq) const {
  auto it = logs_.find(author);
  if (it == logs_.end() || seq == 0 || seq > it->second.entries.size()) return nullptr;
  return it->second.entries[seq - 1];
}

bool NodeStore::add_fork_proof(const PublicKey& author, Bytes proof) {
  return fork_proofs_.try_emplace(author, std::move(proof)).second;
}

LogHead NodeStore::head(const PublicKey& author) const {
  auto it = logs_.find(author);
  if (it == logs_.end() || it->second.entries.empty()) return {};
  return head_after(it->second.entries.back()->entry);
}

std::vector<Bytes> NodeStore::read(const PublicKey& author, std::uint64_t from_seq,
                                   std::size_t max_count, std::size_t max_bytes) const {
  std::vector<Bytes> out;
  auto it = logs_.find(author);
  if (it == logs_.end() || from_seq == 0) return out;
  const auto& entries = it->second.entries;
  std::size_t bytes = 0;
  for (std::uint64_t seq = from_seq; seq <= entries.size() && out.size() < max_count; ++seq) {
    const Bytes& b = entries[seq - 1]->entry.bytes();
    if (!out.empty() && bytes + b.size() > max_bytes) break;
    bytes += b.size();
    out.push_back(b);
  }
  return out;
}

ClockMsg NodeStore::clock(const std::set<PublicKey>* roster, bool accepts_any) const {
  ClockMsg c{accepts_any, {}};
  auto held = logs_.begin();
  auto take_held_before = [&](const PublicKey* bound) {
    for (; held != logs_.end() && (!bound || held->first < *bound); ++held)
      if (!held->second.entries.empty())
        c.heads.push_back({held->first, held->second.entries.size(),
                           held->second.entries.back()->entry.id()});
  };
  if (roster) {
    // Both sorted: merge, so the clock is in key order without a second set.
    for (const auto& author : *roster) {
      take_held_before(&author);
      ClockEntry head{author, 0};
      if (held != logs_.end() && held->first == author) {
        if (!held->second.entries.empty())
          head = {author, held->second.entries.size(), held->second.entries.back()->entry.id()};
        ++held;
      }
      c.heads.push_back(head);
    }
  }
  take_held_before(nullptr);
  return c;
}

}  // namespace ifex::sim
