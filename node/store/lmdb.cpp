#include "node/store/lmdb.hpp"

#include <chrono>

namespace ifex::lmdb {

void Env::open(const std::filesystem::path& dir, std::size_t map_size, unsigned max_dbs,
               bool create, bool read_only) {
  read_only_ = read_only;
  if (create && !read_only) std::filesystem::create_directories(dir);
  check(mdb_env_create(&env_), "mdb_env_create");
  check(mdb_env_set_maxdbs(env_, max_dbs), "mdb_env_set_maxdbs");
  check(mdb_env_set_mapsize(env_, map_size), "mdb_env_set_mapsize");
  // 126 readers is LMDB's default; the node's reader threads and CLI commands stay well below.
  // MDB_NOTLS: read transactions are tied to objects, not threads, so a pool may share them.
  const unsigned flags = MDB_NOTLS | (read_only ? MDB_RDONLY : 0u);
  check(mdb_env_open(env_, dir.c_str(), flags, 0600), "mdb_env_open");
  // A reader killed with -9 leaves a stale slot; clear those so they do not pin old pages.
  int dead = 0;
  mdb_reader_check(env_, &dead);
}

std::size_t Env::map_size() const {
  MDB_envinfo info;
  mdb_env_info(env_, &info);
  return info.me_mapsize;
}

bool Env::adopt_grown_map() const {
  std::unique_lock lock(txn_guard_, std::defer_lock);
  if (!lock.try_lock_for(std::chrono::seconds(5))) return false;
  return mdb_env_set_mapsize(env_, 0) == MDB_SUCCESS;  // 0: take the size the file has now
}

std::optional<MDB_dbi> open_dbi(MDB_txn* txn, const char* name, bool create) {
  MDB_dbi dbi;
  const int rc = mdb_dbi_open(txn, name, create ? MDB_CREATE : 0u, &dbi);
  if (rc == MDB_NOTFOUND && !create) return std::nullopt;
  check(rc, "mdb_dbi_open");
  return dbi;
}

}  // namespace ifex::lmdb
