// The store of record: every verified entry, by (author, seq), by id and by creation time; each
// author's head; fork proofs; the roster; node metadata. One LMDB environment in the data dir.
// Layout of the databases: docs/architecture.md ("Store").
//
// Writes are batched: a batch of entries is one transaction (group commit), and an entry is
// reported stored only after that transaction committed (LMDB syncs on commit), so a `kill -9`
// at any instant loses nothing that was reported stored.
//
// Thread safety: a Store may be shared between threads; LMDB serialises writers (across
// processes too, so a CLI command and a running node can use one data dir).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keys/identity.hpp"
#include "keys/result.hpp"
#include "protocol/append_outcome.hpp"
#include "protocol/entry.hpp"
#include "protocol/log_rules.hpp"

namespace ifex {

namespace lmdb {
class Env;
}

struct StoreOptions {
  std::filesystem::path dir;
  // False: a missing or empty store is an error, and nothing is created. Commands open a data
  // dir's store this way (NodeHandle); only `init` creates one. A new empty store under an
  // existing identity would restart this node's log at seq 0 and fork it at the next publish.
  bool create_if_missing = true;
  // True: look, never touch. data.mdb is opened read-only (MDB_RDONLY) and only read
  // transactions are begun, so opening waits on no writer (a running node, an import) and
  // changes nothing: no store-file note (publishing hold), no index migration, no schema
  // record. Implies !create_if_missing. Every write then fails with `store_read_only`, and a
  // store that still needs a migration by this version fails to open with `store_not_upgraded`.
  bool read_only = false;
  std::size_t map_size = std::size_t{16} << 30;  // address space reserved, not disk used
  EntryLimits limits;
};


struct AppendResult {
  AppendOutcome outcome;
  std::string reason;  // for everything but stored/duplicate
};

struct RosterMember {
  PublicKey key;
  std::string name;
  std::uint64_t added_ms = 0;
};

// A peer this node dials: its key and the addresses (ws:// URLs) it may be reached at.
// How the certificate of a peer's wss:// URLs is checked (`peer add --ca`, `--tls-fingerprint`).
// Both empty: the system's trusted CAs and the URL's host name.
struct PeerTlsTrust {
  std::string ca_pem;              // trust only these CAs (PEM), and check the host name
  std::string certificate_sha256;  // or accept exactly this certificate (64 lowercase hex)
  bool empty() const { return ca_pem.empty() && certificate_sha256.empty(); }
  bool operator==(const PeerTlsTrust&) const = default;
};

// The SOCKS5 proxy this peer is dialed through (`peer add --socks5`), over [network]
// socks5_proxy: "" = that setting, "none" = directly, else "HOST:PORT" of the proxy.
inline constexpr std::string_view peer_proxy_direct = "none";

struct PeerRecord {
  PublicKey key;
  std::vector<std::string> urls;
  std::uint64_t added_ms = 0;
  PeerTlsTrust tls;
  std::string socks5;
};

// Why this node signs nothing new for now (node/store/publishing_hold.cpp).
struct PublishingHold {
  std::string reason;  // store_copied, peer_ahead, operator
  std::uint64_t since_ms = 0;
  std::string detail;  // a sentence for the operator
};
// The error text a refused publish carries: the hold, what it protects against, the way out.
std::string publishing_held_message(const PublishingHold& hold);

// The federation this node belongs to: its genesis entry's id, and that entry's author.
struct FederationPin {
  Hash genesis;
  PublicKey founder;
};

struct StoredEntryRef {
  PublicKey author;
  std::uint64_t seq;
};

struct VerifyReport {
  std::uint64_t entries_checked = 0;
  std::uint64_t authors_checked = 0;
  std::vector<std::string> faults;  // empty when the store is sound
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> open(const StoreOptions& options);
  ~Store();

  // Appends verified entries in order, in one transaction. On success every entry has an
  // outcome and the stored ones are durable. On failure (store full, I/O error) nothing of the
  // batch was written and the store is unchanged and readable.
  Result<std::vector<AppendResult>> append(std::span<const SignedEntry> entries);
  Result<std::vector<AppendResult>> append(std::span<const SignedEntry* const> entries);

  // Signs and appends the next entry of `identity`'s own log in one transaction, so the seq and
  // prev it signs are exactly the head it appends to. Refuses if that log is frozen, or while
  // publishing is held (error code `publishing_held`).
  Result<SignedEntry> append_own(const Identity& identity, EntryKind kind, Bytes payload,
                                 std::uint64_t created_ms);

  // Signs and appends many entries to `identity`'s own log, in order, in ONE transaction (one
  // sync on commit): entry i carries payloads[i] and created_ms[i]. All or nothing: on failure
  // (frozen log, an entry over max_entry_bytes, store full) nothing was written. Returns the
  // stored entries, durable. REQUIRES: payloads.size() == created_ms.size().
  Result<std::vector<SignedEntry>> append_own_batch(const Identity& identity, EntryKind kind,
                                                    std::span<const Bytes> payloads,
                                                    std::span<const std::uint64_t> created_ms);

  // Group commit of separate publishes (node/http/publish_committer.hpp): signs and appends
  // entries to `identity`'s own log in ONE transaction (one sync on commit), in order, each on
  // its own. An entry that cannot be made (over max_entry_bytes: `too_large`) gets its own error
  // and takes no seq; the ones after it follow the last one signed. The whole call fails, and
  // nothing is written, on a frozen log, a publishing hold, a full store or an I/O error.
  // REQUIRES: payloads.size() == created_ms.size().
  Result<std::vector<Result<SignedEntry>>> append_own_each(
      const Identity& identity, EntryKind kind, std::span<const Bytes> payloads,
      std::span<const std::uint64_t> created_ms);

  // The publishing hold: set when the store was found copied (at open: data.mdb's inode
  // changed), by the running node when a peer holds more of its own log than it does, or by the
  // operator; lifted by the running node once its own log is confirmed (or by the operator).
  // hold_publishing keeps an existing hold's reason (false then); release is false when none.
  Result<std::optional<PublishingHold>> publishing_hold() const;
  Result<bool> hold_publishing(const PublishingHold& hold);
  Result<bool> release_publishing();
  // Whether data.mdb is not the file this store last noted (it was copied or restored since):
  // the next read-write open then sets the `store_copied` hold. For a read-only look (doctor).
  Result<bool> store_file_changed() const;

  // Records a fork proof (freezing the author's log); false if one was already held.
  Result<bool> add_fork_proof(const ForkProof& proof);

  // Reads. Errors only on I/O or damaged data.
  Result<std::optional<LogHead>> head(const PublicKey& author) const;
  Result<std::vector<std::pair<PublicKey, LogHead>>> clock() const;
  Result<std::optional<SignedEntry>> entry_by_id(const Hash& id) const;
  Result<std::optional<SignedEntry>> entry_at(const PublicKey& author, std::uint64_t seq) const;
  // Up to `limit` entries of `author` from `from_seq` on, in seq order.
  Result<std::vector<SignedEntry>> log_range(const PublicKey& author, std::uint64_t from_seq,
                                             std::size_t limit) const;
  // The stored encodings of `author`'s entries from `from_seq` on, in seq order, undecoded: at
  // most max_count, stopping before max_bytes would be exceeded (but at least one). What
  // catch-up sends, without decoding entries only to count their bytes.
  Result<std::vector<Bytes>> log_bytes(const PublicKey& author, std::uint64_t from_seq,
                                       std::size_t max_count, std::size_t max_bytes) const;
  // Up to `limit` entries, newest creation time first, of the given authors (all when empty).
  Result<std::vector<SignedEntry>> newest(std::size_t limit,
                                          std::span<const PublicKey> authors = {}) const;
  Result<std::uint64_t> entry_count() const;
  // The LMDB map reserved and the part of it in use (pages up to the last one written), for the
  // operator's "map nearly full" alert (docs/operations.md, "Monitoring").
  struct Space {
    std::uint64_t map_bytes = 0;
    std::uint64_t used_bytes = 0;
  };
  Result<Space> space() const;
  Result<std::vector<ForkProof>> fork_proofs() const;
  Result<bool> is_frozen(const PublicKey& author) const;

  // The roster: authors whose entries this node accepts (its own key is accepted implicitly).
  Result<bool> roster_add(const RosterMember& member);  // false if already present (name updated)
  Result<bool> roster_remove(const PublicKey& key);     // false if absent
  Result<std::vector<RosterMember>> roster() const;
  Result<bool> roster_contains(const PublicKey& key) const;

  // The peers this node dials. peer_add merges `urls` into an existing record (and replaces its
  // TLS trust, and its SOCKS5 proxy, when the new one is not empty); false when the
  // peer was already known (its addresses were updated).
  Result<bool> peer_add(const PeerRecord& peer);
  Result<bool> peer_remove(const PublicKey& key);  // false if absent
  Result<std::vector<PeerRecord>> peers() const;

  // Every stored entry of kind `roster` (in id order), and how many: what the roster rule
  // reads (protocol/federation_roster.hpp).
  Result<std::vector<SignedEntry>> roster_entries() const;
  Result<std::uint64_t> roster_entry_count() const;
  // The federation pinned by `federation create` or a join; nullopt for a node in none (its
  // roster is then the local one only). Pinning another federation's genesis is refused.
  Result<std::optional<FederationPin>> federation() const;
  Status pin_federation(const FederationPin& pin);

  // Node metadata (schema version, own key, ...).
  Result<std::optional<std::string>> meta(const std::string& key) const;
  Status set_meta(const std::string& key, const std::string& value);

  // Re-checks every stored signature, every chain link, the indexes and the heads.
  // `progress` (may be empty) is called with the number of entries checked so far.
  Result<VerifyReport> verify(const std::function<void(std::uint64_t)>& progress = {}) const;

  const StoreOptions& options() const { return options_; }

  struct Dbis;  // internal: the LMDB database handles (node/store/store_layout.hpp)

 private:
  Store(StoreOptions options);
  Result<std::vector<AppendResult>> append_each(
      std::size_t count, const std::function<const SignedEntry&(std::size_t)>& entry_at);
  StoreOptions options_;
  std::unique_ptr<lmdb::Env> env_;
  std::unique_ptr<Dbis> dbis_;
};

}  // namespace ifex
