// A consistent, compacted copy of a store, safe while a node writes to it: LMDB's own copy
// (mdb_env_copyfd2 with MDB_CP_COMPACT) runs in one read transaction, so the copy is the store
// as of that transaction's start (every commit before it, nothing after), with free pages left
// out. A read transaction is what any second process may open beside `ifexnode run` (LMDB's
// lock file serialises writers and registers readers across processes; the run lock,
// node/home/run_lock.hpp, only keeps out a second *node*).
#pragma once

#include <filesystem>

#include "keys/result.hpp"

namespace ifex {

// Writes the copy of the store in `store_dir` (its data.mdb) to `fd`, which may be a pipe.
// Opens the environment read-only; the source is never written. Blocks until the copy ended.
Status copy_store_compacted(const std::filesystem::path& store_dir, int fd);

}  // namespace ifex
