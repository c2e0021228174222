#include "node/net/store_writer.hpp"

#include "keys/key_text.hpp"
#include "node/base/log.hpp"
#include "node/net/node_counters.hpp"

namespace ifex {

StoreWriter::StoreWriter(Store& store, Replicator& replicator, NodeCounters& counters,
                         std::function<std::optional<PublicKey>(PeerId)> peer_key,
                         std::function<std::uint64_t()> now_ms)
    : store_(store),
      replicator_(replicator),
      counters_(counters),
      peer_key_(std::move(peer_key)),
      now_ms_(std::move(now_ms)),
      ingester_(*this, pending_, replicator, *this) {}

void StoreWriter::load_heads() {
  if (auto clock = store_.clock())
    for (const auto& [author, head] : *clock) known_heads_[author] = head;
}

bool StoreWriter::queue(PeerId from, bool push, std::vector<SignedEntry> entries,
                        std::shared_ptr<void> inflight) {
  const bool was_empty = queue_.empty();
  queue_.push_back({from, push, std::move(entries), std::move(inflight)});
  return was_empty;
}

void StoreWriter::flush() {
  std::vector<Queued> queued;
  queued.swap(queue_);
  std::vector<std::vector<const SignedEntry*>> refs(queued.size());
  std::vector<IngestBatch> batches;
  batches.reserve(queued.size());
  for (std::size_t i = 0; i < queued.size(); ++i) {
    for (const SignedEntry& e : queued[i].entries) refs[i].push_back(&e);
    std::optional<PeerId> from;
    if (peer_key_(queued[i].from)) from = queued[i].from;
    batches.push_back({from, queued[i].push, refs[i]});
  }
  if (auto st = ingester_.ingest(batches, now_ms_()); !st)
    log_event(LogLevel::error, LogArea::gossip, "store_failed",
              "cannot store entries: " + st.error().message, {{"error", st.error().message}});
}

void StoreWriter::catch_up_with_store() {
  auto clock = store_.clock();
  if (!clock) return;
  for (const auto& [author, head] : *clock) {
    LogHead& known = known_heads_[author];
    while (known.seq < head.seq) {
      auto entries = store_.log_range(author, known.seq + 1, 256);
      if (!entries || entries->empty()) break;
      for (const auto& e : *entries) {
        known = head_after(e);
        replicator_.on_entry_stored(e, std::nullopt, now_ms_());
        if (log_enabled(LogLevel::debug, LogArea::gossip))
          log_event(LogLevel::debug, LogArea::gossip, "local_entry",
                    "local " + e.id().hex() + " " + fingerprint(e.author()) + " #" +
                        std::to_string(e.seq()),
                    {{"id", e.id().hex()},
                     {"author", fingerprint(e.author())},
                     {"seq", std::to_string(e.seq())}});
      }
    }
  }
}

Result<std::vector<AppendOutcome>> StoreWriter::append(
    std::span<const SignedEntry* const> entries) {
  auto results = store_.append(entries);
  if (!results) return results.error();
  std::vector<AppendOutcome> outcomes;
  outcomes.reserve(results->size());
  for (const AppendResult& r : *results) outcomes.push_back(r.outcome);
  return outcomes;
}

LogHead StoreWriter::head(const PublicKey& author) const {
  auto it = known_heads_.find(author);
  return it == known_heads_.end() ? LogHead{} : it->second;
}

std::optional<Bytes> StoreWriter::fork_proof(const SignedEntry& refused) {
  auto proofs = store_.fork_proofs();
  if (proofs)
    for (const ForkProof& p : *proofs)
      if (p.author() == refused.author()) return encode_fork_proof(p);
  return std::nullopt;
}

void StoreWriter::stored(const SignedEntry& e, std::optional<PeerId> from) {
  counters_.entries_stored++;
  known_heads_[e.author()] = head_after(e);
  std::string sender = "held entries";
  if (from)
    if (auto key = peer_key_(*from)) sender = fingerprint(*key);
  if (log_enabled(LogLevel::debug, LogArea::gossip))
    log_event(LogLevel::debug, LogArea::gossip, "entry_stored",
              "stored " + e.id().hex() + " " + fingerprint(e.author()) + " #" +
                  std::to_string(e.seq()) + " from " + sender,
              {{"id", e.id().hex()},
               {"author", fingerprint(e.author())},
               {"seq", std::to_string(e.seq())},
               {"from", sender}});
}

void StoreWriter::duplicate(const SignedEntry&) { counters_.duplicates++; }

void StoreWriter::prev_mismatch(const SignedEntry& e, std::optional<PeerId> from,
                                std::uint64_t have_seq) {
  // Not a warning yet: the proof, if the sender has one to give, is (fork_found).
  log_event(LogLevel::debug, LogArea::gossip, "chain_mismatch",
            "entry #" + std::to_string(e.seq()) + " of " + fingerprint(e.author()) +
                " chains to another #" + std::to_string(have_seq) + " than ours" +
                (from ? "; asking its sender for its side" : ""),
            {{"author", fingerprint(e.author())},
             {"seq", std::to_string(e.seq())},
             {"have_seq", std::to_string(have_seq)}});
}

bool StoreWriter::fork_found(const SignedEntry& refused, const Bytes&) {
  counters_.fork_proofs++;
  log_event(LogLevel::warn, LogArea::gossip, "fork_detected",
            "fork detected: " + fingerprint(refused.author()) + " signed two entries with seq " +
                std::to_string(refused.seq()) + "; its log is frozen",
            {{"author", fingerprint(refused.author())}, {"seq", std::to_string(refused.seq())}});
  return true;
}

}  // namespace ifex
