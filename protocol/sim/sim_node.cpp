#include "protocol/sim/sim_node.hpp"

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
          [this](const PublicKey& a) { return accepts(a); })),
      ingester_(*this, pending_, *replicator_, *this) {}

SimNode::SimNode(std::uint32_t index, const PooledEntry* genesis, const PublicKey& own,
                 const ReplicatorSettings& settings, EntryPool& pool,
                 Metrics& metrics)
    : SimNode(index, std::make_shared<const std::set<PublicKey>>(), settings, pool, metrics) {
  view_ = std::make_unique<RosterView>(genesis->entry, own);
  own_ = own;
  store_quietly(genesis);
}

ClockMsg SimNode::clock() const {
  if (!view_) return store_.clock(roster_.get(), !roster_);
  std::set<PublicKey> named = view_->named_authors();
  for (const auto& [key, last_valid] : view_->state().ended_after)
    if (store_.head(key).seq < last_carried_seq(last_valid)) named.insert(key);
  return store_.clock(&named, false);
}

bool SimNode::accepts(const PublicKey& author) const {
  if (view_) return view_->wants_log(author, store_.head(author).seq);
  return !roster_ || roster_->contains(author);
}

bool SimNode::accepts_entry(const PublicKey& author, std::uint64_t seq) const {
  if (view_) return view_->accepts_entry(author, seq);
  return accepts(author);
}

void SimNode::refresh_roster(std::uint64_t now_us) {
  if (view_ && view_->refresh(now_us)) replicator_->on_local_clock_changed(clock());
}

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
    if (accepts_entry(e->entry.author(), e->entry.seq()))
      wanted.push_back(e);
    else
      ++refused;
  }
  metrics_.entries_refused(refused);
  if (!wanted.empty()) ingest(wanted, from, message.push, now_us);
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
  if (store_.append(entry) != AppendOutcome::stored) return;
  stored_since_tick_ = true;
  if (view_ && entry->entry.kind() == EntryKind::roster) view_->add(entry->entry, now_us);
  metrics_.stored(index_, entry->alert, now_us);
  replicator_->on_entry_stored(entry->entry, std::nullopt, now_us / 1000);
}

void SimNode::store_quietly(const PooledEntry* entry) {
  (void)store_.append(entry);
}

void SimNode::ingest(const std::vector<const PooledEntry*>& entries, PeerId from, bool push,
                     std::uint64_t now_us) {
  std::vector<const SignedEntry*> refs;
  refs.reserve(entries.size());
  for (const PooledEntry* p : entries) refs.push_back(&p->entry);
  const IngestBatch batch{from, push && prune_, refs};
  ingest_now_us_ = now_us;
  // The in-memory store cannot fail, and every entry here came through the pool.
  (void)ingester_.ingest(std::span(&batch, 1), now_us / 1000);
}

Result<std::vector<AppendOutcome>> SimNode::append(std::span<const SignedEntry* const> entries) {
  std::vector<AppendOutcome> outcomes;
  outcomes.reserve(entries.size());
  for (const SignedEntry* e : entries) {
    const PooledEntry* p = pool_.find(e->id());
    if (!p) return make_error("not_pooled", "an entry the simulation never verified");
    const AppendOutcome outcome = store_.append(p);
    // An equivocator does not record (or spread) the proof of its own fork.
    if (outcome == AppendOutcome::fork && !(concealed_ && *concealed_ == e->author()))
      if (auto proof = make_fork_proof(store_.at(e->author(), e->seq())->entry, *e))
        (void)store_.add_fork_proof(e->author(), encode_fork_proof(*proof));
    outcomes.push_back(outcome);
  }
  return outcomes;
}

std::optional<Bytes> SimNode::fork_proof(const SignedEntry& refused) {
  auto it = store_.fork_proofs().find(refused.author());
  if (it == store_.fork_proofs().end()) return std::nullopt;
  return it->second;
}

void SimNode::stored(const SignedEntry& entry, std::optional<PeerId>) {
  stored_since_tick_ = true;
  if (view_ && entry.kind() == EntryKind::roster) view_->add(entry, ingest_now_us_);
  metrics_.stored(index_, pool_.find(entry.id())->alert, ingest_now_us_);
}

void SimNode::held(const SignedEntry& entry, std::optional<PeerId> from, std::uint64_t have_seq) {
  if (!from) return;
  auto& seq = awaited_[entry.author()];
  seq = std::max(seq, have_seq + 1);
}

bool SimNode::fork_found(const SignedEntry& refused, const Bytes&) {
  metrics_.fork_proof_held(index_, refused.author(), ingest_now_us_);
  return true;
}

void SimNode::record_fork_proof(const PublicKey& author, const Bytes& proof,
                                std::optional<PeerId> from, std::uint64_t now_us) {
  if (concealed_ && *concealed_ == author) return;
  if (!store_.add_fork_proof(author, proof)) return;
  metrics_.fork_proof_held(index_, author, now_us);
  replicator_->on_fork_proof(proof, from);
}

}  // namespace ifex::sim
