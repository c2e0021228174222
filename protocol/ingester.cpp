#include "protocol/ingester.hpp"

#include <map>
#include <set>

namespace ifex {

// The head of every author touched by this ingest, as it moves entry by entry: an outcome is
// reported against the head its entry met, not the head the whole batch left.
struct Ingester::Heads {
  std::map<PublicKey, LogHead> at;
  std::set<PublicKey> touched;  // authors with entries stored or held by this ingest
};

Status Ingester::ingest(std::span<const IngestBatch> batches, std::uint64_t now_ms) {
  Heads heads;
  std::vector<const SignedEntry*> all;
  for (const IngestBatch& batch : batches)
    for (const SignedEntry* e : batch.entries) {
      all.push_back(e);
      if (!heads.at.contains(e->author())) heads.at[e->author()] = store_.head(e->author());
    }
  auto outcomes = store_.append(all);
  if (!outcomes) return outcomes.error();
  std::size_t offset = 0;
  for (const IngestBatch& batch : batches) {
    report(batch, std::span(*outcomes).subspan(offset, batch.entries.size()), heads, now_ms);
    offset += batch.entries.size();
  }
  // Entries held for a gap may fit now, and those that fit may let more fit.
  for (bool progress = true; progress;) {
    progress = false;
    for (const PublicKey& author : std::set<PublicKey>(heads.touched)) {
      const LogHead before = heads.at[author];
      std::vector<SignedEntry> ready = pending_.take_ready(author, before);
      if (ready.empty()) continue;
      std::vector<const SignedEntry*> refs;
      for (const SignedEntry& e : ready) refs.push_back(&e);
      auto held = store_.append(refs);
      if (!held) return held.error();
      report(IngestBatch{std::nullopt, false, refs}, *held, heads, now_ms);
      progress |= heads.at[author] != before;
    }
  }
  return {};
}

void Ingester::report(const IngestBatch& batch, std::span<const AppendOutcome> outcomes,
                      Heads& heads, std::uint64_t now_ms) {
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    const SignedEntry& e = *batch.entries[i];
    switch (outcomes[i]) {
      case AppendOutcome::stored:
        heads.at[e.author()] = head_after(e);
        heads.touched.insert(e.author());
        events_.stored(e, batch.from);
        replicator_.on_entry_stored(e, batch.from, now_ms);
        break;
      case AppendOutcome::duplicate:
        events_.duplicate(e);
        if (batch.from) replicator_.on_duplicate(*batch.from, e, batch.prune_on_duplicate);
        break;
      case AppendOutcome::gap: {
        (void)pending_.hold(e);  // when full it is dropped: it can be fetched again
        heads.touched.insert(e.author());
        const std::uint64_t have_seq = heads.at[e.author()].seq;
        events_.held(e, batch.from, have_seq);
        if (batch.from) replicator_.on_gap(*batch.from, e.author(), have_seq, now_ms);
        break;
      }
      case AppendOutcome::prev_mismatch: {
        // It can never fit on our head (a log only grows), so it is not held: it says its
        // author signed another entry at our head's seq, which its sender can give us.
        const LogHead head = heads.at[e.author()];
        events_.prev_mismatch(e, batch.from, head.seq);
        if (batch.from) replicator_.on_prev_mismatch(*batch.from, e.author(), head, now_ms);
        break;
      }
      case AppendOutcome::fork:
        if (auto proof = store_.fork_proof(e); proof && events_.fork_found(e, *proof))
          replicator_.on_fork_proof(*proof, std::nullopt);
        break;
      case AppendOutcome::frozen:
        break;
    }
  }
}

}  // namespace ifex
