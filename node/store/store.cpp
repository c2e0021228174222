#include "node/store/store.hpp"

#include <algorithm>
#include <cstring>

#include "node/store/lmdb.hpp"
#include "node/store/store_layout.hpp"

namespace ifex {

using lmdb::Cursor;
using lmdb::LmdbError;
using lmdb::Txn;

Store::Store(StoreOptions options)
    : options_(std::move(options)), env_(std::make_unique<lmdb::Env>()),
      dbis_(std::make_unique<Dbis>()) {}
Store::~Store() = default;

namespace {

// Without create_if_missing, LMDB must not be reached for a store that is not there: it would
// make a new, empty one.
Status check_store_exists(const std::filesystem::path& dir) {
  std::error_code ec;
  const auto data = dir / "data.mdb";
  if (!std::filesystem::is_regular_file(data, ec))
    return make_error("no_store", "no store in " + dir.string() +
                                      " (missing: data.mdb): restore it from a backup "
                                      "(docs/operations.md, \"Backup and restore\"); only "
                                      "`ifexnode init` creates a store, in a new data dir");
  if (std::filesystem::file_size(data, ec) == 0 || ec)
    return make_error("no_store", "the store in " + dir.string() +
                                      " is empty (data.mdb has no data): restore it from a "
                                      "backup (docs/operations.md, \"Backup and restore\")");
  return Status::success();
}

struct Table {
  const char* name;
  MDB_dbi Store::Dbis::*slot;
};
constexpr Table tables[] = {
    {"entries", &Store::Dbis::entries},
    {"by_id", &Store::Dbis::by_id},
    {"by_time", &Store::Dbis::by_time},
    {"heads", &Store::Dbis::heads},
    {"forks", &Store::Dbis::forks},
    {"roster", &Store::Dbis::roster},
    {"peers", &Store::Dbis::peers},
    {"meta", &Store::Dbis::meta},
    {"roster_entries", &Store::Dbis::roster_entries},
};

// Opens every database of the layout; false (read-only only) when one is missing: a store
// written by an older ifexnode, which the next read-write open upgrades.
bool open_tables(const Txn& txn, Store::Dbis& d, bool create) {
  for (const Table& t : tables) {
    auto dbi = lmdb::open_dbi(txn.get(), t.name, create);
    if (!dbi) return false;
    d.*t.slot = *dbi;
  }
  return true;
}

Error not_upgraded(const std::filesystem::path& dir) {
  return make_error("store_not_upgraded",
                    "the store in " + dir.string() +
                        " was written by an older ifexnode and is "
                        "upgraded at its next read-write open (`ifexnode run`, or any command that "
                        "writes); a read-only look cannot read it until then");
}

}  // namespace

Result<std::unique_ptr<Store>> Store::open(const StoreOptions& given) {
  StoreOptions options = given;
  if (options.read_only) options.create_if_missing = false;
  if (!options.create_if_missing)
    if (auto st = check_store_exists(options.dir); !st) return st.error();
  std::unique_ptr<Store> store(new Store(options));
  try {
    store->env_->open(options.dir, options.map_size, 16, options.create_if_missing,
                      options.read_only);
    Txn txn(*store->env_, options.read_only ? Txn::read_only : Txn::read_write);
    Dbis& d = *store->dbis_;
    if (!open_tables(txn, d, !options.read_only)) return not_upgraded(options.dir);
    auto schema = txn.get(d.meta, as_bytes("schema"));
    if (!schema && !options.create_if_missing) {
      // Returning aborts the transaction: nothing is written to a store that is not ours.
      return make_error("no_store", "the store in " + options.dir.string() +
                                        " is empty (no schema record): not a store made by "
                                        "`ifexnode init`; restore it from a backup");
    }
    if (!schema) {
      txn.put(d.meta, as_bytes("schema"), as_bytes(store_schema_version));
    } else if (as_chars(*schema) != store_schema_version) {
      return make_error("store_version", "the store in " + options.dir.string() +
                                             " has schema " + std::string(as_chars(*schema)) +
                                             "; this ifexnode reads schema " + store_schema_version);
    }
    if (options.read_only) {
      if (!roster_entries_indexed(txn, d)) return not_upgraded(options.dir);
    } else {
      note_store_file(txn, d, options.dir);
      index_roster_entries(txn, d, options.limits);
    }
    // Also for a read transaction: committing is what keeps the database handles open.
    txn.commit();
  } catch (const LmdbError& e) {
    return make_error("store_open", "cannot open the store in " + options.dir.string() + ": " +
                                        e.message());
  } catch (const std::filesystem::filesystem_error& e) {
    return make_error("store_open", std::string("cannot create the store directory: ") + e.what());
  }
  return store;
}

namespace {
// The single place where an entry and its indexes are written.
void write_entry(Txn& txn, const Store::Dbis& d, const SignedEntry& e) {
  auto ref = ref_key(e.author(), e.seq());
  txn.put(d.entries, span_of(ref), e.bytes(), MDB_NOOVERWRITE);
  txn.put(d.by_id, e.id().view(), span_of(ref), MDB_NOOVERWRITE);
  txn.put(d.by_time, span_of(time_key(e.created_ms(), e.id())), span_of(ref));
  txn.put(d.heads, e.author().view(), span_of(head_value(head_after(e))));
  // The roster rule reads every roster entry at each change: an index spares it a full scan.
  if (e.kind() == EntryKind::roster) txn.put(d.roster_entries, e.id().view(), span_of(ref));
}

LogHead read_head(const Txn& txn, const Store::Dbis& d, const PublicKey& author) {
  auto v = txn.get(d.heads, author.view());
  return v ? parse_head(*v) : LogHead{};
}
}  // namespace

Result<std::vector<AppendResult>> Store::append(std::span<const SignedEntry> entries) {
  return append_each(entries.size(), [&](std::size_t i) -> const SignedEntry& { return entries[i]; });
}

Result<std::vector<AppendResult>> Store::append(std::span<const SignedEntry* const> entries) {
  return append_each(entries.size(),
                     [&](std::size_t i) -> const SignedEntry& { return *entries[i]; });
}

Result<std::vector<AppendResult>> Store::append_each(
    std::size_t count, const std::function<const SignedEntry&(std::size_t)>& entry_at) {
  return guarded<std::vector<AppendResult>>(*this, [&]() -> Result<std::vector<AppendResult>> {
    const Dbis& d = *dbis_;
    Txn txn(*env_, Txn::read_write);
    std::vector<AppendResult> results;
    results.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      const SignedEntry& e = entry_at(i);
      if (txn.get(d.forks, e.author().view())) {
        bool known = txn.get(d.by_id, e.id().view()).has_value();
        results.push_back({known ? AppendOutcome::duplicate : AppendOutcome::frozen,
                           known ? "" : "the author's log is frozen by a fork proof"});
        continue;
      }
      LogHead head = read_head(txn, d, e.author());
      switch (fit_entry(head, e)) {
        case ChainFit::next:
          write_entry(txn, d, e);
          results.push_back({AppendOutcome::stored, ""});
          break;
        case ChainFit::known_seq: {
          if (txn.get(d.by_id, e.id().view())) {
            results.push_back({AppendOutcome::duplicate, ""});
            break;
          }
          auto stored_bytes = txn.get(d.entries, span_of(ref_key(e.author(), e.seq())));
          auto stored = stored_bytes ? decode_trusted_entry(*stored_bytes, options_.limits)
                                     : Result<SignedEntry>(make_error("missing", "missing"));
          if (!stored)
            return make_error("store_corrupt", "stored entry at seq " + std::to_string(e.seq()) +
                                                   " is unreadable: " + stored.error().message);
          auto proof = make_fork_proof(*stored, e);
          if (!proof) return proof.error();
          txn.put(d.forks, e.author().view(), encode_fork_proof(*proof));
          results.push_back({AppendOutcome::fork, "a different entry with seq " +
                                                      std::to_string(e.seq()) +
                                                      " is stored: the author forked its log"});
          break;
        }
        case ChainFit::gap:
          results.push_back({AppendOutcome::gap, "missing predecessor: this node holds seq " +
                                                     std::to_string(head.seq) +
                                                     " of this author, the entry has seq " +
                                                     std::to_string(e.seq())});
          break;
        case ChainFit::prev_mismatch:
          results.push_back({AppendOutcome::prev_mismatch,
                             "prev does not match the stored entry at seq " +
                                 std::to_string(head.seq)});
          break;
      }
    }
    txn.commit();
    return results;
  });
}

namespace {
// Refuses to extend a log frozen by a fork proof.
Status check_own_log_open(const Txn& txn, const Store::Dbis& d, const Identity& identity) {
  if (txn.get(d.forks, identity.public_key().view()))
    return make_error("frozen", "this node's own log is frozen by a fork proof: its key was "
                                "used elsewhere; see docs/operations.md");
  return Status::success();
}

// Signs the entry that follows `head` in `identity`'s log, writes it and advances `head`.
Result<SignedEntry> sign_and_write(Txn& txn, const Store::Dbis& d, const Identity& identity,
                                   LogHead& head, EntryKind kind, Bytes payload,
                                   std::uint64_t created_ms, const EntryLimits& limits) {
  EntryFields f{identity.public_key(), head.seq + 1, head.id, created_ms, kind,
                std::move(payload)};
  SignedEntry e = sign_entry(identity, std::move(f));
  if (e.bytes().size() > limits.max_entry_bytes)
    return make_error("too_large", "the entry would be " + std::to_string(e.bytes().size()) +
                                       " bytes; the limit is " +
                                       std::to_string(limits.max_entry_bytes));
  write_entry(txn, d, e);
  head = head_after(e);
  return e;
}
}  // namespace

Result<SignedEntry> Store::append_own(const Identity& identity, EntryKind kind, Bytes payload,
                                      std::uint64_t created_ms) {
  return guarded<SignedEntry>(*this, [&]() -> Result<SignedEntry> {
    const Dbis& d = *dbis_;
    Txn txn(*env_, Txn::read_write);
    if (auto st = check_own_log_open(txn, d, identity); !st) return st.error();
    if (auto st = check_publishing_open(txn, d); !st) return st.error();
    LogHead head = read_head(txn, d, identity.public_key());
    auto e = sign_and_write(txn, d, identity, head, kind, std::move(payload), created_ms,
                            options_.limits);
    if (!e) return e.error();
    txn.commit();
    return e;
  });
}

Result<std::vector<SignedEntry>> Store::append_own_batch(
    const Identity& identity, EntryKind kind, std::span<const Bytes> payloads,
    std::span<const std::uint64_t> created_ms) {
  if (payloads.size() != created_ms.size())
    return make_error("invalid_argument", "append_own_batch: " + std::to_string(payloads.size()) +
                                              " payloads but " + std::to_string(created_ms.size()) +
                                              " times");
  return guarded<std::vector<SignedEntry>>(*this, [&]() -> Result<std::vector<SignedEntry>> {
    const Dbis& d = *dbis_;
    Txn txn(*env_, Txn::read_write);
    if (auto st = check_own_log_open(txn, d, identity); !st) return st.error();
    if (auto st = check_publishing_open(txn, d); !st) return st.error();
    LogHead head = read_head(txn, d, identity.public_key());
    std::vector<SignedEntry> out;
    out.reserve(payloads.size());
    for (std::size_t i = 0; i < payloads.size(); ++i) {
      auto e =
          sign_and_write(txn, d, identity, head, kind, payloads[i], created_ms[i], options_.limits);
      if (!e)
        return make_error(e.error().code,
                          "entry " + std::to_string(i + 1) + " of the batch: " + e.error().message);
      out.push_back(std::move(*e));
    }
    txn.commit();
    return out;
  });
}

Result<std::vector<Result<SignedEntry>>> Store::append_own_each(
    const Identity& identity, EntryKind kind, std::span<const Bytes> payloads,
    std::span<const std::uint64_t> created_ms) {
  using Outcomes = std::vector<Result<SignedEntry>>;
  if (payloads.size() != created_ms.size())
    return make_error("invalid_argument", "append_own_each: " + std::to_string(payloads.size()) +
                                              " payloads but " + std::to_string(created_ms.size()) +
                                              " times");
  return guarded<Outcomes>(*this, [&]() -> Result<Outcomes> {
    const Dbis& d = *dbis_;
    Txn txn(*env_, Txn::read_write);
    if (auto st = check_own_log_open(txn, d, identity); !st) return st.error();
    if (auto st = check_publishing_open(txn, d); !st) return st.error();
    LogHead head = read_head(txn, d, identity.public_key());
    Outcomes out;
    out.reserve(payloads.size());
    // sign_and_write advances `head` only for an entry it wrote, so a refused one leaves no gap.
    for (std::size_t i = 0; i < payloads.size(); ++i)
      out.push_back(
          sign_and_write(txn, d, identity, head, kind, payloads[i], created_ms[i], options_.limits));
    txn.commit();
    return out;
  });
}

Result<bool> Store::add_fork_proof(const ForkProof& proof) {
  return guarded<bool>(*this, [&]() -> Result<bool> {
    Txn txn(*env_, Txn::read_write);
    if (txn.get(dbis_->forks, proof.author().view())) return false;
    txn.put(dbis_->forks, proof.author().view(), encode_fork_proof(proof));
    txn.commit();
    return true;
  });
}

Result<std::optional<LogHead>> Store::head(const PublicKey& author) const {
  return guarded<std::optional<LogHead>>(*this, [&]() -> Result<std::optional<LogHead>> {
    Txn txn(*env_, Txn::read_only);
    auto v = txn.get(dbis_->heads, author.view());
    if (!v) return std::optional<LogHead>();
    return std::optional<LogHead>(parse_head(*v));
  });
}

Result<std::vector<std::pair<PublicKey, LogHead>>> Store::clock() const {
  using Clock = std::vector<std::pair<PublicKey, LogHead>>;
  return guarded<Clock>(*this, [&]() -> Result<Clock> {
    Txn txn(*env_, Txn::read_only);
    Cursor c(txn, dbis_->heads);
    Clock out;
    MDB_val k, v;
    for (bool ok = c.get(MDB_FIRST, &k, &v); ok; ok = c.get(MDB_NEXT, &k, &v))
      out.emplace_back(*PublicKey::from(lmdb::view(k)), parse_head(lmdb::view(v)));
    return out;
  });
}

namespace {
Result<std::optional<SignedEntry>> decode_stored(std::optional<ByteView> bytes,
                                                 const EntryLimits& limits) {
  if (!bytes) return std::optional<SignedEntry>();
  auto e = decode_trusted_entry(*bytes, limits);
  if (!e) return make_error("store_corrupt", "a stored entry is unreadable: " + e.error().message);
  return std::optional<SignedEntry>(std::move(*e));
}
}  // namespace

Result<std::optional<SignedEntry>> Store::entry_by_id(const Hash& id) const {
  return guarded<std::optional<SignedEntry>>(*this, [&]() -> Result<std::optional<SignedEntry>> {
    Txn txn(*env_, Txn::read_only);
    auto ref = txn.get(dbis_->by_id, id.view());
    if (!ref) return std::optional<SignedEntry>();
    return decode_stored(txn.get(dbis_->entries, *ref), options_.limits);
  });
}

Result<std::optional<SignedEntry>> Store::entry_at(const PublicKey& author,
                                                   std::uint64_t seq) const {
  return guarded<std::optional<SignedEntry>>(*this, [&]() -> Result<std::optional<SignedEntry>> {
    Txn txn(*env_, Txn::read_only);
    return decode_stored(txn.get(dbis_->entries, span_of(ref_key(author, seq))), options_.limits);
  });
}

Result<std::vector<SignedEntry>> Store::log_range(const PublicKey& author, std::uint64_t from_seq,
                                                  std::size_t limit) const {
  return guarded<std::vector<SignedEntry>>(*this, [&]() -> Result<std::vector<SignedEntry>> {
    Txn txn(*env_, Txn::read_only);
    Cursor c(txn, dbis_->entries);
    std::vector<SignedEntry> out;
    MDB_val k, v;
    auto start = ref_key(author, from_seq);
    for (bool ok = c.seek(span_of(start), &k, &v); ok && out.size() < limit;
         ok = c.get(MDB_NEXT, &k, &v)) {
      if (std::memcmp(k.mv_data, author.data(), 32) != 0) break;
      auto e = decode_stored(lmdb::view(v), options_.limits);
      if (!e) return e.error();
      out.push_back(std::move(**e));
    }
    return out;
  });
}

Result<std::vector<Bytes>> Store::log_bytes(const PublicKey& author, std::uint64_t from_seq,
                                            std::size_t max_count, std::size_t max_bytes) const {
  return guarded<std::vector<Bytes>>(*this, [&]() -> Result<std::vector<Bytes>> {
    Txn txn(*env_, Txn::read_only);
    Cursor c(txn, dbis_->entries);
    std::vector<Bytes> out;
    std::size_t bytes = 0;
    MDB_val k, v;
    auto start = ref_key(author, from_seq);
    for (bool ok = c.seek(span_of(start), &k, &v); ok && out.size() < max_count;
         ok = c.get(MDB_NEXT, &k, &v)) {
      if (std::memcmp(k.mv_data, author.data(), 32) != 0) break;
      if (!out.empty() && bytes + v.mv_size > max_bytes) break;
      bytes += v.mv_size;
      ByteView value = lmdb::view(v);
      out.emplace_back(value.begin(), value.end());
    }
    return out;
  });
}

Result<std::vector<SignedEntry>> Store::newest(std::size_t limit,
                                               std::span<const PublicKey> authors) const {
  return guarded<std::vector<SignedEntry>>(*this, [&]() -> Result<std::vector<SignedEntry>> {
    Txn txn(*env_, Txn::read_only);
    Cursor c(txn, dbis_->by_time);
    std::vector<SignedEntry> out;
    MDB_val k, v;
    for (bool ok = c.get(MDB_LAST, &k, &v); ok && out.size() < limit;
         ok = c.get(MDB_PREV, &k, &v)) {
      StoredEntryRef ref = parse_ref(lmdb::view(v));
      if (!authors.empty() && std::find(authors.begin(), authors.end(), ref.author) == authors.end())
        continue;
      auto e = decode_stored(txn.get(dbis_->entries, span_of(ref_key(ref.author, ref.seq))),
                             options_.limits);
      if (!e) return e.error();
      if (!*e) return make_error("store_corrupt", "the time index names a missing entry");
      out.push_back(std::move(**e));
    }
    return out;
  });
}

Result<std::uint64_t> Store::entry_count() const {
  return guarded<std::uint64_t>(*this, [&]() -> Result<std::uint64_t> {
    Txn txn(*env_, Txn::read_only);
    MDB_stat stat;
    lmdb::check(mdb_stat(txn.get(), dbis_->entries, &stat), "mdb_stat");
    return static_cast<std::uint64_t>(stat.ms_entries);
  });
}

Result<Store::Space> Store::space() const {
  return guarded<Space>(*this, [&]() -> Result<Space> {
    MDB_envinfo info;
    MDB_stat stat;
    lmdb::check(mdb_env_info(env_->get(), &info), "mdb_env_info");
    lmdb::check(mdb_env_stat(env_->get(), &stat), "mdb_env_stat");
    return Space{static_cast<std::uint64_t>(info.me_mapsize),
                 static_cast<std::uint64_t>(info.me_last_pgno + 1) * stat.ms_psize};
  });
}

Result<std::vector<ForkProof>> Store::fork_proofs() const {
  return guarded<std::vector<ForkProof>>(*this, [&]() -> Result<std::vector<ForkProof>> {
    Txn txn(*env_, Txn::read_only);
    Cursor c(txn, dbis_->forks);
    std::vector<ForkProof> out;
    MDB_val k, v;
    for (bool ok = c.get(MDB_FIRST, &k, &v); ok; ok = c.get(MDB_NEXT, &k, &v)) {
      auto proof = decode_fork_proof(lmdb::view(v), options_.limits);
      if (!proof)
        return make_error("store_corrupt", "a stored fork proof is invalid: " +
                                               proof.error().message);
      out.push_back(std::move(*proof));
    }
    return out;
  });
}

Result<bool> Store::is_frozen(const PublicKey& author) const {
  return guarded<bool>(*this, [&]() -> Result<bool> {
    Txn txn(*env_, Txn::read_only);
    return txn.get(dbis_->forks, author.view()).has_value();
  });
}

Result<bool> Store::roster_add(const RosterMember& m) {
  return guarded<bool>(*this, [&]() -> Result<bool> {
    Txn txn(*env_, Txn::read_write);
    bool existed = txn.get(dbis_->roster, m.key.view()).has_value();
    Bytes value(8);
    put_be64(value.data(), m.added_ms);
    value.insert(value.end(), m.name.begin(), m.name.end());
    txn.put(dbis_->roster, m.key.view(), value);
    txn.commit();
    return !existed;
  });
}

Result<bool> Store::roster_remove(const PublicKey& key) {
  return guarded<bool>(*this, [&]() -> Result<bool> {
    Txn txn(*env_, Txn::read_write);
    bool removed = txn.del(dbis_->roster, key.view());
    txn.commit();
    return removed;
  });
}

Result<std::vector<RosterMember>> Store::roster() const {
  return guarded<std::vector<RosterMember>>(*this, [&]() -> Result<std::vector<RosterMember>> {
    Txn txn(*env_, Txn::read_only);
    Cursor c(txn, dbis_->roster);
    std::vector<RosterMember> out;
    MDB_val k, v;
    for (bool ok = c.get(MDB_FIRST, &k, &v); ok; ok = c.get(MDB_NEXT, &k, &v)) {
      ByteView value = lmdb::view(v);
      if (value.size() < 8) return make_error("store_corrupt", "a roster record is damaged");
      out.push_back({*PublicKey::from(lmdb::view(k)), std::string(as_chars(value.subspan(8))),
                     get_be64(value.data())});
    }
    return out;
  });
}

Result<bool> Store::roster_contains(const PublicKey& key) const {
  return guarded<bool>(*this, [&]() -> Result<bool> {
    Txn txn(*env_, Txn::read_only);
    return txn.get(dbis_->roster, key.view()).has_value();
  });
}

namespace {
// The peer records' one framing of a text: u32 big-endian length, then the bytes.
void put_prefixed(Bytes& out, std::string_view text) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(text.size() >> (8 * i)));
  out.insert(out.end(), text.begin(), text.end());
}
// The text at `pos` (moved past it), or nullopt when the bytes end too soon.
std::optional<std::string> take_prefixed(ByteView v, std::size_t& pos) {
  if (v.size() - pos < 4) return std::nullopt;
  std::size_t len = std::size_t{v[pos]} << 24 | std::size_t{v[pos + 1]} << 16 |
                    std::size_t{v[pos + 2]} << 8 | v[pos + 3];
  pos += 4;
  if (v.size() - pos < len) return std::nullopt;
  std::string out(as_chars(v.subspan(pos, len)));
  pos += len;
  return out;
}

// added_ms (be64), then each URL as u32 big-endian length + bytes.
Bytes encode_peer(const PeerRecord& p) {
  Bytes out(8);
  put_be64(out.data(), p.added_ms);
  for (const auto& url : p.urls) put_prefixed(out, url);
  return out;
}
std::optional<PeerRecord> decode_peer(const PublicKey& key, ByteView v) {
  if (v.size() < 8) return std::nullopt;
  PeerRecord p{key, {}, get_be64(v.data()), {}, {}};
  for (std::size_t pos = 8; pos < v.size();) {
    auto url = take_prefixed(v, pos);
    if (!url) return std::nullopt;
    p.urls.push_back(std::move(*url));
  }
  return p;
}

// A peer's TLS trust lives beside its record, in the meta table under "peer_tls/" + the key's
// hex, so that a node older than it reads the peer record unchanged (docs/architecture.md,
// "Store"). Value: u32 big-endian length + CA PEM, then u32 length + certificate SHA-256 hex.
std::string peer_tls_key(const PublicKey& key) { return "peer_tls/" + to_hex(key.view()); }

Bytes encode_peer_tls(const PeerTlsTrust& t) {
  Bytes out;
  put_prefixed(out, t.ca_pem);
  put_prefixed(out, t.certificate_sha256);
  return out;
}

std::optional<PeerTlsTrust> decode_peer_tls(ByteView v) {
  std::size_t pos = 0;
  auto ca = take_prefixed(v, pos);
  auto sha = ca ? take_prefixed(v, pos) : std::nullopt;
  if (!sha || pos != v.size()) return std::nullopt;
  return PeerTlsTrust{std::move(*ca), std::move(*sha)};
}

// A peer's own SOCKS5 proxy, beside the record for the same reason as its TLS trust. Value: the
// text of PeerRecord::socks5 ("none" or "HOST:PORT").
std::string peer_proxy_key(const PublicKey& key) { return "peer_proxy/" + to_hex(key.view()); }
}  // namespace

Result<bool> Store::peer_add(const PeerRecord& peer) {
  return guarded<bool>(*this, [&]() -> Result<bool> {
    Txn txn(*env_, Txn::read_write);
    PeerRecord merged = peer;
    auto existing = txn.get(dbis_->peers, peer.key.view());
    if (existing) {
      auto old = decode_peer(peer.key, *existing);
      if (!old) return make_error("store_corrupt", "a peer record is damaged");
      merged = *old;
      for (const auto& url : peer.urls)
        if (std::find(merged.urls.begin(), merged.urls.end(), url) == merged.urls.end())
          merged.urls.push_back(url);
    }
    txn.put(dbis_->peers, peer.key.view(), encode_peer(merged));
    if (!peer.tls.empty())
      txn.put(dbis_->meta, as_bytes(peer_tls_key(peer.key)), encode_peer_tls(peer.tls));
    if (!peer.socks5.empty())
      txn.put(dbis_->meta, as_bytes(peer_proxy_key(peer.key)), as_bytes(peer.socks5));
    txn.commit();
    return !existing;
  });
}

Result<bool> Store::peer_remove(const PublicKey& key) {
  return guarded<bool>(*this, [&]() -> Result<bool> {
    Txn txn(*env_, Txn::read_write);
    bool removed = txn.del(dbis_->peers, key.view());
    txn.del(dbis_->meta, as_bytes(peer_tls_key(key)));
    txn.del(dbis_->meta, as_bytes(peer_proxy_key(key)));
    txn.commit();
    return removed;
  });
}

Result<std::vector<PeerRecord>> Store::peers() const {
  return guarded<std::vector<PeerRecord>>(*this, [&]() -> Result<std::vector<PeerRecord>> {
    Txn txn(*env_, Txn::read_only);
    Cursor c(txn, dbis_->peers);
    std::vector<PeerRecord> out;
    MDB_val k, v;
    for (bool ok = c.get(MDB_FIRST, &k, &v); ok; ok = c.get(MDB_NEXT, &k, &v)) {
      auto p = decode_peer(*PublicKey::from(lmdb::view(k)), lmdb::view(v));
      if (!p) return make_error("store_corrupt", "a peer record is damaged");
      if (auto tls = txn.get(dbis_->meta, as_bytes(peer_tls_key(p->key)))) {
        auto trust = decode_peer_tls(*tls);
        if (!trust) return make_error("store_corrupt", "a peer's TLS trust record is damaged");
        p->tls = std::move(*trust);
      }
      if (auto proxy = txn.get(dbis_->meta, as_bytes(peer_proxy_key(p->key))))
        p->socks5.assign(as_chars(*proxy));
      out.push_back(std::move(*p));
    }
    return out;
  });
}

Result<std::optional<std::string>> Store::meta(const std::string& key) const {
  return guarded<std::optional<std::string>>(*this, [&]() -> Result<std::optional<std::string>> {
    Txn txn(*env_, Txn::read_only);
    auto v = txn.get(dbis_->meta, as_bytes(key));
    if (!v) return std::optional<std::string>();
    return std::optional<std::string>(std::string(as_chars(*v)));
  });
}

Status Store::set_meta(const std::string& key, const std::string& value) {
  auto r = guarded<bool>(*this, [&]() -> Result<bool> {
    Txn txn(*env_, Txn::read_write);
    txn.put(dbis_->meta, as_bytes(key), as_bytes(value));
    txn.commit();
    return true;
  });
  if (!r) return r.error();
  return Status::success();
}

}  // namespace ifex
