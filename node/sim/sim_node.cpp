#include "node/sim/sim_node.hpp"

#include <algorithm>

namespace ifex::sim {

namespace {
// Each node starts serving catch-ups at its own author, as real nodes do (they use their key).
ReplicatorConfig seeded(ReplicatorConfig config, std::uint32_t index) {
  config.sync_start_seed = 0x9e3779b97f4a7c15ull * (index + 1);
  return config;
}
}  // namespace

SimNode::SimNode(std::uint32_t index, std::shared_ptr<const std::set<PublicKey>> roster,
                 const ReplicatorSettings& settings, EntryPool& pool, Metrics& metrics)
    : index_(index),
      roster_(std::move(roster)),
      pool_(pool),
      metrics_(metrics),
      pending_(settings.pending_entries),
      prune_(settings.prune),
      replicator_(std::make_unique<Replicator>(
          seeded(settings.config, index), store_,
          [this](const PublicKey& a) { return accepts(a); })) {}

void SimNode::tick(std::uint64_t now_us) {
  replicator_->on_tick(now_us / 1000);
  stored_since_tick_ = false;
  // What is held now, this tick's on_tick has forgotten too (head >= the awaited seq), and a
  // frozen log is no longer awaited (Replicator::on_fork_proof).
  std::erase_if(awaited_, [&](const auto& a) {
    return store_.head(a.first).seq >= a.second || store_.frozen(a.first);
  });
}

void SimNode::note_have(const HaveMsg& have) {
  for (const auto& h : have.heads)
    if (accepts(h.author) && !store_.frozen(h.author) && store_.head(h.author).seq < h.seq) {
      auto& seq = awaited_[h.author];
      seq = std::max(seq, h.seq);
    }
}

SimNode::Verdict SimNode::receive_entries(PeerId from, const EntriesMsg& message,
                                          std::uint64_t now_us) {
  std::vector<const PooledEntry*> verified;
  verified.reserve(message.entries.size());
  for (const auto& bytes : message.entries) {
    const PooledEntry* e = pool_.verify(bytes);
    // One invalid entry condemns the whole message: a hostile peer gets nothing stored.
    if (!e) return {false, true, "an entry that does not verify"};
    verified.push_back(e);
  }
  std::vector<const PooledEntry*> wanted;
  std::uint64_t refused = 0;
  for (const PooledEntry* e : verified) {
    metrics_.copy_received(index_, e->alert);
    if (accepts(e->entry.author()))
      wanted.push_back(e);
    else
      ++refused;
  }
  metrics_.entries_refused(refused);
  if (!wanted.empty()) ingest(std::move(wanted), from, message.push, now_us);
  return {};
}

SimNode::Verdict SimNode::receive_fork_proof(PeerId from, const Bytes& proof,
                                             std::uint64_t now_us) {
  auto author = pool_.verify_fork_proof(proof);
  if (!author) return {false, true, "a fork proof that does not verify"};
  record_fork_proof(*author, proof, from, now_us);
  return {};
}

void SimNode::publish(const PooledEntry* entry, std::uint64_t now_us) {
  if (store_.append(entry) != Append::stored) return;
  stored_since_tick_ = true;
  metrics_.stored(index_, entry->alert, now_us);
  replicator_->on_entry_stored(entry->entry, std::nullopt, now_us / 1000);
}

void SimNode::store_quietly(const PooledEntry* entry) {
  (void)store_.append(entry);
}

void SimNode::ingest(std::vector<const PooledEntry*> entries, std::optional<PeerId> from, bool push,
                     std::uint64_t now_us) {
  std::set<PublicKey> touched;
  append(entries, from, push, now_us, touched);
  // Entries held for a gap may fit now; they are reported without a sender, since the peer
  // that closed the gap may lack them.
  for (bool progress = true; progress;) {
    progress = false;
    for (const PublicKey& author : std::set<PublicKey>(touched)) {
      std::vector<const PooledEntry*> ready;
      for (const auto& e : pending_.take_ready(author, store_.head(author)))
        if (const PooledEntry* p = pool_.find(e.id())) ready.push_back(p);
      if (ready.empty()) continue;
      const LogHead before = store_.head(author);
      append(ready, std::nullopt, false, now_us, touched);
      progress |= store_.head(author) != before;
    }
  }
}

void SimNode::append(const std::vector<const PooledEntry*>& entries, std::optional<PeerId> from,
                     bool push, std::uint64_t now_us, std::set<PublicKey>& touched) {
  const std::uint64_t now_ms = now_us / 1000;
  for (const PooledEntry* p : entries) {
    const SignedEntry& e = p->entry;
    switch (store_.append(p)) {
      case Append::stored:
        stored_since_tick_ = true;
        metrics_.stored(index_, p->alert, now_us);
        touched.insert(e.author());
        replicator_->on_entry_stored(e, from, now_ms);
        break;
      case Append::duplicate:
        if (from) replicator_->on_duplicate(*from, e, push && prune_);
        break;
      case Append::gap:
      case Append::prev_mismatch:
        (void)pending_.hold(e);
        touched.insert(e.author());
        if (from) {
          const std::uint64_t have_seq = store_.head(e.author()).seq;
          replicator_->on_gap(*from, e.author(), have_seq, now_ms);
          auto& seq = awaited_[e.author()];
          seq = std::max(seq, have_seq + 1);
        }
        break;
      case Append::fork: {
        auto proof = make_fork_proof(store_.at(e.author(), e.seq())->entry, e);
        if (proof) record_fork_proof(e.author(), encode_fork_proof(*proof), std::nullopt, now_us);
        break;
      }
      case Append::frozen:
        break;
    }
  }
}

void SimNode::record_fork_proof(const PublicKey& author, const Bytes& proof,
                                std::optional<PeerId> from, std::uint64_t now_us) {
  if (concealed_ && *concealed_ == author) return;
  if (!store_.add_fork_proof(author, proof)) return;
  metrics_.fork_proof_held(index_, author, now_us);
  replicator_->on_fork_proof(proof, from);
}

}  // namespace ifex::sim
