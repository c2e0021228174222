#include "node/store/store_copy.hpp"

#include <lmdb.h>

#include <algorithm>
#include <cstdint>
#include <system_error>

namespace ifex {

Status copy_store_compacted(const std::filesystem::path& store_dir, int fd) {
  std::error_code ec;
  const auto file_size = std::filesystem::file_size(store_dir / "data.mdb", ec);
  if (ec) return make_error("no_store", "no store in " + store_dir.string() + ": " + ec.message());
  MDB_env* env = nullptr;
  int rc = mdb_env_create(&env);
  if (rc == MDB_SUCCESS) rc = mdb_env_set_maxdbs(env, 32);
  // The map must cover what the running node may have written by the time the copy's read
  // transaction starts; a map is address space, not memory.
  if (rc == MDB_SUCCESS)
    rc =
        mdb_env_set_mapsize(env, std::max<std::uintmax_t>(file_size * 2, std::uintmax_t{16} << 30));
  if (rc == MDB_SUCCESS) rc = mdb_env_open(env, store_dir.c_str(), MDB_RDONLY | MDB_NOTLS, 0600);
  if (rc == MDB_SUCCESS) rc = mdb_env_copyfd2(env, fd, MDB_CP_COMPACT);
  if (env) mdb_env_close(env);
  if (rc == MDB_SUCCESS) return Status::success();
  if (rc == ENOSPC || rc == EDQUOT)
    return make_error("disk_full", "the disk is full while copying the store");
  return make_error("store_copy",
                    "copying the store in " + store_dir.string() + ": " + mdb_strerror(rc));
}

}  // namespace ifex
