// The store's LMDB layout: database handles and key/value encodings, shared by the store's
// source files only. Documented in docs/architecture.md ("Store").
#pragma once

#include <sys/statvfs.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <span>
#include <string>

#include "node/store/lmdb.hpp"
#include "node/store/store.hpp"

namespace ifex {

inline constexpr const char* store_schema_version = "1";

struct Store::Dbis {
  MDB_dbi entries;  // author || seq(be64) -> signed encoding
  MDB_dbi by_id;    // id -> author || seq(be64)
  MDB_dbi by_time;  // created_ms(be64) || id -> author || seq(be64)
  MDB_dbi heads;    // author -> seq(be64) || id
  MDB_dbi forks;    // author -> fork proof encoding
  MDB_dbi roster;   // key -> added_ms(be64) || name
  MDB_dbi meta;     // utf-8 key -> utf-8 value
  MDB_dbi peers;    // key -> added_ms(be64) || (u32 be length || ws:// URL)*
  MDB_dbi roster_entries;  // id -> author || seq(be64), for entries of kind `roster`
};

// Big-endian keys so LMDB's byte order is numeric order.
inline void put_be64(std::uint8_t* out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<std::uint8_t>(v);
}
inline std::uint64_t get_be64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
  return v;
}

using RefKey = std::array<std::uint8_t, 40>;  // author || seq

inline RefKey ref_key(const PublicKey& author, std::uint64_t seq) {
  RefKey k;
  std::memcpy(k.data(), author.data(), 32);
  put_be64(k.data() + 32, seq);
  return k;
}
inline StoredEntryRef parse_ref(ByteView v) {
  return {*PublicKey::from(v.first(32)), get_be64(v.data() + 32)};
}
inline std::array<std::uint8_t, 40> time_key(std::uint64_t created_ms, const Hash& id) {
  std::array<std::uint8_t, 40> k;
  put_be64(k.data(), created_ms);
  std::memcpy(k.data() + 8, id.data(), 32);
  return k;
}
inline std::array<std::uint8_t, 40> head_value(const LogHead& h) {
  std::array<std::uint8_t, 40> v;
  put_be64(v.data(), h.seq);
  std::memcpy(v.data() + 8, h.id.data(), 32);
  return v;
}
inline LogHead parse_head(ByteView v) { return {get_be64(v.data()), *Hash::from(v.subspan(8, 32))}; }

// Bytes an unprivileged writer may still use on the file system holding `dir`, or nullopt.
inline std::optional<std::uint64_t> free_bytes(const std::filesystem::path& dir) {
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
}

inline Error store_error(const lmdb::LmdbError& e, const Store& store) {
  if (e.rc == EACCES && store.options().read_only)
    return make_error("store_read_only",
                      "this store was opened read-only (to look, not to change): the write was "
                      "refused and nothing was written");
  // LMDB turns a short write into EIO ("short write, filesystem full?" in mdb_page_flush): a
  // disk with a few blocks left fails a large commit that way rather than with ENOSPC. With
  // (almost) nothing left on the store's file system, say so, as for ENOSPC.
  if (e.rc == EIO) {
    auto left = free_bytes(store.options().dir);
    if (left && *left < (std::uint64_t{1} << 20))
      return make_error("disk_full", "the disk is full: " + e.message() + " (a write came up "
                                         "short with " + std::to_string(*left) +
                                         " bytes left on the store's file system). Nothing of "
                                         "this write was stored; reads go on.");
  }
  if (e.rc == MDB_MAP_FULL)
    return make_error("store_full",
                      "the store is full: its LMDB map size of " +
                          std::to_string(store.options().map_size >> 20) +
                          " MiB is reached; raise [store] map_size_mib in ifexnode.toml (and "
                          "restart a running node: it reads the file at start). "
                          "Nothing of this write was stored; reads go on.");
  if (e.rc == ENOSPC)
    return make_error("disk_full", "the disk is full: " + e.message() +
                                       ". Nothing of this write was stored; reads go on.");
  return make_error("store_io", "store error: " + e.message());
}

// The publishing hold (publishing_hold.cpp). note_store_file runs in the open transaction:
// it records data.mdb's inode and sets the hold when the file is not the one recorded.
void note_store_file(lmdb::Txn& txn, const Store::Dbis& d, const std::filesystem::path& dir);
Status check_publishing_open(const lmdb::Txn& txn, const Store::Dbis& d);
// Fills the roster_entries index once for a store written before it existed (roster_index.cpp).
void index_roster_entries(lmdb::Txn& txn, const Store::Dbis& d, const EntryLimits& limits);
bool roster_entries_indexed(const lmdb::Txn& txn, const Store::Dbis& d);

template <class T, class Fn>
Result<T> guarded(const Store& store, Fn&& fn) {
  try {
    return fn();
  } catch (const lmdb::LmdbError& e) {
    return store_error(e, store);
  } catch (const std::bad_alloc&) {
    return make_error("out_of_memory", "out of memory while accessing the store");
  }
}

template <class Array>
std::span<const std::uint8_t> span_of(const Array& array) {
  return {array.data(), array.size()};
}

}  // namespace ifex
