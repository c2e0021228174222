// Damage to a node's LMDB store made behind the Store's back, as a failing disk or a careless
// tool would: the tests then check that `verify` notices. Uses the LMDB C API directly.
// REQUIRES: nothing else in this process has the environment open (LMDB forbids opening one
// environment twice in a process), so close the Store first.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace ifex::test {

namespace detail {

inline void lmdb_check(int rc, const char* what) {
  if (rc != MDB_SUCCESS) throw std::runtime_error(std::string(what) + ": " + mdb_strerror(rc));
}

// One write transaction on one named database, positioned on its `record`-th record (key order).
class TamperTxn {
 public:
  TamperTxn(const std::filesystem::path& store_dir, const std::string& db, std::size_t record) {
    lmdb_check(mdb_env_create(&env_), "mdb_env_create");
    lmdb_check(mdb_env_set_maxdbs(env_, 16), "mdb_env_set_maxdbs");
    // No map size set: LMDB takes the one recorded in the file.
    lmdb_check(mdb_env_open(env_, store_dir.c_str(), 0, 0600), "mdb_env_open");
    lmdb_check(mdb_txn_begin(env_, nullptr, 0, &txn_), "mdb_txn_begin");
    lmdb_check(mdb_dbi_open(txn_, db.c_str(), 0, &dbi_), "mdb_dbi_open");
    lmdb_check(mdb_cursor_open(txn_, dbi_, &cursor_), "mdb_cursor_open");
    lmdb_check(mdb_cursor_get(cursor_, &key_, &value_, MDB_FIRST), "mdb_cursor_get (first)");
    for (std::size_t i = 0; i < record; ++i)
      lmdb_check(mdb_cursor_get(cursor_, &key_, &value_, MDB_NEXT), "mdb_cursor_get (next)");
  }
  TamperTxn(const TamperTxn&) = delete;
  TamperTxn& operator=(const TamperTxn&) = delete;
  ~TamperTxn() {
    if (cursor_) mdb_cursor_close(cursor_);
    if (txn_) mdb_txn_abort(txn_);
    mdb_env_close(env_);
  }

  std::vector<std::uint8_t> value() const {
    auto* p = static_cast<const std::uint8_t*>(value_.mv_data);
    return {p, p + value_.mv_size};
  }
  void replace_value(std::vector<std::uint8_t> bytes) {
    MDB_val v{bytes.size(), bytes.data()};
    lmdb_check(mdb_cursor_put(cursor_, &key_, &v, MDB_CURRENT), "mdb_cursor_put");
  }
  void delete_record() { lmdb_check(mdb_cursor_del(cursor_, 0), "mdb_cursor_del"); }
  // Writes a copy of the current record under its key with the last byte flipped.
  void put_copy_under_other_key() {
    auto* p = static_cast<const std::uint8_t*>(key_.mv_data);
    std::vector<std::uint8_t> key(p, p + key_.mv_size), value = this->value();
    key.back() ^= 0xff;
    MDB_val k{key.size(), key.data()}, v{value.size(), value.data()};
    lmdb_check(mdb_put(txn_, dbi_, &k, &v, MDB_NOOVERWRITE), "mdb_put");
  }
  void commit() {
    mdb_cursor_close(cursor_);
    cursor_ = nullptr;
    MDB_txn* t = txn_;
    txn_ = nullptr;
    lmdb_check(mdb_txn_commit(t), "mdb_txn_commit");
  }

 private:
  MDB_env* env_ = nullptr;
  MDB_txn* txn_ = nullptr;
  MDB_dbi dbi_ = 0;
  MDB_cursor* cursor_ = nullptr;
  MDB_val key_{}, value_{};
};

}  // namespace detail

// Flips all bits of the byte at `offset` (the middle byte when offset is past the end) in the
// value of the `record`-th record of database `db`. Returns the offset flipped.
inline std::size_t flip_stored_byte(const std::filesystem::path& store_dir, const std::string& db,
                                    std::size_t record, std::size_t offset = SIZE_MAX) {
  detail::TamperTxn txn(store_dir, db, record);
  std::vector<std::uint8_t> bytes = txn.value();
  if (bytes.empty()) throw std::runtime_error("flip_stored_byte: empty value");
  if (offset >= bytes.size()) offset = bytes.size() / 2;
  bytes[offset] ^= 0xff;
  txn.replace_value(std::move(bytes));
  txn.commit();
  return offset;
}

// Deletes the `record`-th record of database `db`.
inline void delete_stored_record(const std::filesystem::path& store_dir, const std::string& db,
                                 std::size_t record) {
  detail::TamperTxn txn(store_dir, db, record);
  txn.delete_record();
  txn.commit();
}

// Adds a stray record to database `db`: a copy of its `record`-th record under another key.
inline void duplicate_stored_record(const std::filesystem::path& store_dir, const std::string& db,
                                    std::size_t record) {
  detail::TamperTxn txn(store_dir, db, record);
  txn.put_copy_under_other_key();
  txn.commit();
}

}  // namespace ifex::test
