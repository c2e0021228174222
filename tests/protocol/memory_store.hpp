// An in-memory store with the log rules of the real one, for tests that drive the Ingester and
// the Replicator without LMDB.
#pragma once

#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <span>
#include <vector>

#include "protocol/ingester.hpp"
#include "protocol/log_rules.hpp"
#include "protocol/replicator.hpp"

namespace ifex::test {

// The log rules of the real store, in memory: a fork is recorded (and freezes the log) inside
// the append, as Store::append does.
class MemoryStore final : public IngestStore, public LogReader {
 public:
  bool fail_next_append = false;
  std::size_t appends = 0;

  Result<std::vector<AppendOutcome>> append(std::span<const SignedEntry* const> entries) override {
    ++appends;
    if (fail_next_append) {
      fail_next_append = false;
      return make_error("disk_full", "no space left");
    }
    std::vector<AppendOutcome> out;
    for (const SignedEntry* e : entries) out.push_back(append_one(*e));
    return out;
  }
  LogHead head(const PublicKey& author) const override {
    auto it = logs_.find(author);
    return it == logs_.end() || it->second.empty() ? LogHead{} : head_after(it->second.back());
  }
  std::optional<Bytes> fork_proof(const SignedEntry& refused) override {
    auto it = proofs_.find(refused.author());
    if (it == proofs_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<Bytes> read(const PublicKey& author, std::uint64_t from_seq, std::size_t max_count,
                          std::size_t) const override {
    std::vector<Bytes> out;
    auto it = logs_.find(author);
    if (it == logs_.end()) return out;
    for (std::uint64_t s = from_seq; s <= it->second.size() && out.size() < max_count; ++s)
      out.push_back(it->second[s - 1].bytes());
    return out;
  }
  std::size_t length(const PublicKey& author) const {
    auto it = logs_.find(author);
    return it == logs_.end() ? 0 : it->second.size();
  }
  bool frozen(const PublicKey& author) const { return proofs_.contains(author); }
  // A fork proof that arrived from a peer, verified by the caller: false when one is held.
  bool add_fork_proof(const PublicKey& author, Bytes proof) {
    return proofs_.emplace(author, std::move(proof)).second;
  }

 private:
  AppendOutcome append_one(const SignedEntry& e) {
    auto& log = logs_[e.author()];
    const bool held_here = e.seq() >= 1 && e.seq() <= log.size() && log[e.seq() - 1].id() == e.id();
    if (proofs_.contains(e.author()))
      return held_here ? AppendOutcome::duplicate : AppendOutcome::frozen;
    switch (fit_entry(head(e.author()), e)) {
      case ChainFit::next:
        log.push_back(e);
        return AppendOutcome::stored;
      case ChainFit::known_seq: {
        if (held_here) return AppendOutcome::duplicate;
        auto proof = make_fork_proof(log[e.seq() - 1], e);
        REQUIRE(proof);
        proofs_[e.author()] = encode_fork_proof(*proof);
        return AppendOutcome::fork;
      }
      case ChainFit::gap: return AppendOutcome::gap;
      case ChainFit::prev_mismatch: return AppendOutcome::prev_mismatch;
    }
    return AppendOutcome::prev_mismatch;
  }
  std::map<PublicKey, std::vector<SignedEntry>> logs_;
  std::map<PublicKey, Bytes> proofs_;
};

}  // namespace ifex::test
