// Thin RAII over the LMDB C API for the store. Errors are thrown as LmdbError inside the store
// and turned into Result values at the store's public functions; nothing here leaves node/store.
#pragma once

#include <lmdb.h>

#include <cerrno>

#include <filesystem>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>

#include "keys/bytes.hpp"

namespace ifex::lmdb {

struct LmdbError {
  int rc;
  std::string where;
  std::string message() const { return where + ": " + mdb_strerror(rc); }
};

inline void check(int rc, const char* where) {
  if (rc != MDB_SUCCESS) throw LmdbError{rc, where};
}

inline MDB_val val(ByteView bytes) {
  return MDB_val{bytes.size(), const_cast<std::uint8_t*>(bytes.data())};
}
inline ByteView view(const MDB_val& v) {
  return {static_cast<const std::uint8_t*>(v.mv_data), v.mv_size};
}

class Env {
 public:
  Env() = default;
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;
  ~Env() {
    if (env_) mdb_env_close(env_);
  }
  // Opens the environment in `dir`; with `create`, creates `dir` and the environment if needed.
  // With `read_only` (MDB_RDONLY): data.mdb is opened for reading only, and every write
  // transaction is refused (LmdbError with EACCES) before LMDB is asked for one.
  void open(const std::filesystem::path& dir, std::size_t map_size, unsigned max_dbs,
            bool create = true, bool read_only = false);
  MDB_env* get() const { return env_; }
  bool read_only() const { return read_only_; }
  std::size_t map_size() const;

  // Another process (a CLI command run after [store] map_size_mib was raised) may grow the file
  // past this process's map; LMDB then refuses every new transaction here with MDB_MAP_RESIZED
  // until this process adopts the new size, which it may do only while none of its own
  // transactions is open (remapping moves the pages they point into). Every Txn holds
  // `txn_guard()` shared for its lifetime; this takes it exclusively, waiting a bounded time.
  // False when transactions stayed open that long (the caller reports MDB_MAP_RESIZED).
  bool adopt_grown_map() const;
  std::shared_timed_mutex& txn_guard() const { return txn_guard_; }

 private:
  MDB_env* env_ = nullptr;
  bool read_only_ = false;
  mutable std::shared_timed_mutex txn_guard_;
};

class Txn {
 public:
  enum Mode { read_only, read_write };
  Txn(const Env& env, Mode mode) : guard_(env.txn_guard()) {
    if (mode == read_write && env.read_only())
      throw LmdbError{EACCES, "write on a read-only store"};
    int rc = begin(env, mode);
    if (rc == MDB_MAP_RESIZED) {
      guard_.unlock();
      const bool adopted = env.adopt_grown_map();
      guard_.lock();
      if (adopted) rc = begin(env, mode);
    }
    check(rc, "mdb_txn_begin");
  }
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;
  ~Txn() {
    if (txn_) mdb_txn_abort(txn_);
  }
  void commit() {
    MDB_txn* t = txn_;
    txn_ = nullptr;  // committed or not, LMDB frees the handle
    check(mdb_txn_commit(t), "mdb_txn_commit");
  }
  MDB_txn* get() const { return txn_; }

  std::optional<ByteView> get(MDB_dbi dbi, ByteView key) const {
    MDB_val k = val(key), v;
    int rc = mdb_get(txn_, dbi, &k, &v);
    if (rc == MDB_NOTFOUND) return std::nullopt;
    check(rc, "mdb_get");
    return view(v);
  }
  void put(MDB_dbi dbi, ByteView key, ByteView value, unsigned flags = 0) {
    MDB_val k = val(key), v = val(value);
    check(mdb_put(txn_, dbi, &k, &v, flags), "mdb_put");
  }
  bool del(MDB_dbi dbi, ByteView key) {
    MDB_val k = val(key);
    int rc = mdb_del(txn_, dbi, &k, nullptr);
    if (rc == MDB_NOTFOUND) return false;
    check(rc, "mdb_del");
    return true;
  }

 private:
  int begin(const Env& env, Mode mode) {
    return mdb_txn_begin(env.get(), nullptr, mode == read_only ? MDB_RDONLY : 0, &txn_);
  }

  // Declared first, so released last: after the destructor has ended the transaction.
  std::shared_lock<std::shared_timed_mutex> guard_;
  MDB_txn* txn_ = nullptr;
};

class Cursor {
 public:
  Cursor(const Txn& txn, MDB_dbi dbi) { check(mdb_cursor_open(txn.get(), dbi, &cursor_), "mdb_cursor_open"); }
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  ~Cursor() { mdb_cursor_close(cursor_); }

  // Positions the cursor; false when there is no such record.
  bool get(MDB_cursor_op op, MDB_val* key = nullptr, MDB_val* value = nullptr) {
    MDB_val k{}, v{};
    if (key == nullptr) key = &k;
    if (value == nullptr) value = &v;
    int rc = mdb_cursor_get(cursor_, key, value, op);
    if (rc == MDB_NOTFOUND) return false;
    check(rc, "mdb_cursor_get");
    return true;
  }
  // First record with key >= `key`.
  bool seek(ByteView key, MDB_val* k_out, MDB_val* v_out) {
    *k_out = val(key);
    return get(MDB_SET_RANGE, k_out, v_out);
  }

 private:
  MDB_cursor* cursor_ = nullptr;
};

// Opens the named database; with `create` (in a write transaction) makes it when missing.
// Without, a missing database is nullopt.
std::optional<MDB_dbi> open_dbi(MDB_txn* txn, const char* name, bool create);
inline MDB_dbi open_dbi(MDB_txn* txn, const char* name) {
  return *open_dbi(txn, name, true);
}

}  // namespace ifex::lmdb
