// Every distinct entry and fork proof the simulation has seen, verified once.
//
// A real node verifies the signature of every copy it receives. The simulator verifies the first
// copy of each distinct encoding for real (decode_entry, decode_fork_proof) and remembers the
// verdict under the BLAKE2b-256 of the received bytes, which it computes for every copy: a copy
// gets another verdict only if its bytes differ, and bytes that differ hash differently unless
// BLAKE2b is broken. So a forged or altered entry is still rejected on arrival everywhere; what
// is saved is only the repeated Ed25519 work (about 50 us per copy), which is what lets 10,000
// nodes run in minutes. Verification time is not simulated in either case.
//
// Entries live here once; node stores point into the pool (stable addresses, never freed before
// the pool), so a node holds a pointer per entry instead of a copy.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>

#include "keys/bytes.hpp"
#include "protocol/entry.hpp"
#include "protocol/log_rules.hpp"

namespace ifex::sim {

struct PooledEntry {
  SignedEntry entry;
  std::int64_t alert = -1;  // index among the published alerts; -1 for anything else
  bool verified = false;    // a received copy went through decode_entry
};

class EntryPool {
 public:
  // A verified entry from received bytes, or nullptr when check_entry (the node's ingest
  // check, protocol/entry_check.hpp) refuses them.
  const PooledEntry* verify(ByteView bytes);
  // An entry signed in the simulation (a publish). Its first copy received is still verified
  // for real, as for any other entry.
  const PooledEntry* add_signed(SignedEntry entry, std::int64_t alert);
  // An entry verified before, by id (entries held back by PendingEntries come back as copies).
  const PooledEntry* find(const Hash& id) const;

  // The fork proof's author when the bytes are a valid proof, else nullopt.
  std::optional<PublicKey> verify_fork_proof(ByteView bytes);

  std::uint64_t real_verifications() const { return real_verifications_; }
  std::uint64_t cached_verdicts() const { return cached_verdicts_; }

 private:
  // nullptr: the bytes were checked and did not verify.
  std::map<Hash, std::unique_ptr<PooledEntry>> entries_;
  std::map<Hash, std::optional<PublicKey>> proofs_;
  std::uint64_t real_verifications_ = 0;
  std::uint64_t cached_verdicts_ = 0;
};

}  // namespace ifex::sim
