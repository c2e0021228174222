#include "protocol/sim/entry_pool.hpp"

#include "protocol/entry_check.hpp"

namespace ifex::sim {

const PooledEntry* EntryPool::verify(ByteView bytes) {
  const Hash id = entry_id(bytes);
  auto [it, fresh] = entries_.try_emplace(id);
  PooledEntry* known = it->second.get();
  if (!fresh && (!known || known->verified)) {
    ++cached_verdicts_;
    return known;
  }
  ++real_verifications_;
  // The node's own entry check, without the date rule: simulated clocks are not wall clocks.
  EntryCheck check = check_entry(bytes, EntryCheckPolicy{EntryLimits{}, std::nullopt});
  // A fresh slot stays empty: the verdict "does not verify" is remembered too.
  if (!check.accepted()) return nullptr;
  if (!known) {
    it->second = std::make_unique<PooledEntry>(PooledEntry{std::move(*check.entry), -1, true});
    return it->second.get();
  }
  known->verified = true;
  return known;
}

const PooledEntry* EntryPool::add_signed(SignedEntry entry, std::int64_t alert) {
  auto& slot = entries_[entry.id()];
  if (!slot) slot = std::make_unique<PooledEntry>(PooledEntry{std::move(entry), alert, false});
  return slot.get();
}

const PooledEntry* EntryPool::find(const Hash& id) const {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : it->second.get();
}

std::optional<PublicKey> EntryPool::verify_fork_proof(ByteView bytes) {
  // entry_id is BLAKE2b-256 of the bytes: a fine key for any encoding.
  const Hash key = entry_id(bytes);
  auto [it, fresh] = proofs_.try_emplace(key);
  if (!fresh) {
    ++cached_verdicts_;
    return it->second;
  }
  real_verifications_ += 2;
  if (auto proof = decode_fork_proof(bytes, EntryLimits{})) it->second = proof->author();
  return it->second;
}

}  // namespace ifex::sim
