// The index of `roster` entries (Store::roster_entries), and the federation this node belongs
// to, as the store keeps them: the roster rule (protocol/federation_roster.hpp) reads them.
#include <algorithm>

#include "node/store/store.hpp"
#include "node/store/store_layout.hpp"

namespace ifex {

using lmdb::Cursor;
using lmdb::Txn;

namespace {
constexpr const char* indexed_key = "roster_entries_indexed";
constexpr const char* genesis_key = "federation_genesis";
constexpr const char* founder_key = "federation_founder";
}  // namespace

// Stores made before the index hold roster entries (a reserved kind then) only in `entries`:
// one scan at the first open by this version, then the writer keeps the index.
void index_roster_entries(Txn& txn, const Store::Dbis& d, const EntryLimits& limits) {
  if (roster_entries_indexed(txn, d)) return;
  Cursor c(txn, d.entries);
  MDB_val k, v;
  for (bool ok = c.get(MDB_FIRST, &k, &v); ok; ok = c.get(MDB_NEXT, &k, &v)) {
    auto e = decode_trusted_entry(lmdb::view(v), limits);
    if (e && e->kind() == EntryKind::roster) txn.put(d.roster_entries, e->id().view(), lmdb::view(k));
  }
  txn.put(d.meta, as_bytes(indexed_key), as_bytes("1"));
}

bool roster_entries_indexed(const Txn& txn, const Store::Dbis& d) {
  return txn.get(d.meta, as_bytes(indexed_key)).has_value();
}

Result<std::vector<SignedEntry>> Store::roster_entries() const {
  return guarded<std::vector<SignedEntry>>(*this, [&]() -> Result<std::vector<SignedEntry>> {
    Txn txn(*env_, Txn::read_only);
    Cursor c(txn, dbis_->roster_entries);
    std::vector<SignedEntry> out;
    MDB_val k, v;
    for (bool ok = c.get(MDB_FIRST, &k, &v); ok; ok = c.get(MDB_NEXT, &k, &v)) {
      auto bytes = txn.get(dbis_->entries, lmdb::view(v));
      if (!bytes) return make_error("store_corrupt", "the roster index names a missing entry");
      auto e = decode_trusted_entry(*bytes, options_.limits);
      if (!e) return make_error("store_corrupt", "a stored roster entry is unreadable");
      out.push_back(std::move(*e));
    }
    return out;
  });
}

Result<std::uint64_t> Store::roster_entry_count() const {
  return guarded<std::uint64_t>(*this, [&]() -> Result<std::uint64_t> {
    Txn txn(*env_, Txn::read_only);
    MDB_stat stat;
    lmdb::check(mdb_stat(txn.get(), dbis_->roster_entries, &stat), "mdb_stat");
    return static_cast<std::uint64_t>(stat.ms_entries);
  });
}

Result<std::optional<FederationPin>> Store::federation() const {
  return guarded<std::optional<FederationPin>>(*this, [&]() -> Result<std::optional<FederationPin>> {
    Txn txn(*env_, Txn::read_only);
    auto g = txn.get(dbis_->meta, as_bytes(genesis_key));
    auto f = txn.get(dbis_->meta, as_bytes(founder_key));
    if (!g || !f) return std::optional<FederationPin>();
    auto genesis = Hash::from(*g);
    auto founder = PublicKey::from(*f);
    if (!genesis || !founder) return make_error("store_corrupt", "the federation record is damaged");
    return std::optional<FederationPin>(FederationPin{*genesis, *founder});
  });
}

Status Store::pin_federation(const FederationPin& pin) {
  auto done = guarded<bool>(*this, [&]() -> Result<bool> {
    Txn txn(*env_, Txn::read_write);
    auto g = txn.get(dbis_->meta, as_bytes(genesis_key));
    if (g && !std::equal(g->begin(), g->end(), pin.genesis.view().begin()))
      return make_error("federation_pinned", "this node already belongs to another federation");
    txn.put(dbis_->meta, as_bytes(genesis_key), pin.genesis.view());
    txn.put(dbis_->meta, as_bytes(founder_key), pin.founder.view());
    txn.commit();
    return true;
  });
  if (!done) return done.error();
  return Status::success();
}

}  // namespace ifex
