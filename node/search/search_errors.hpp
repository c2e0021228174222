// The search index's error codes that callers act on (others are only reported). Callers test
// them through the predicates below, so each code is spelled once, here.
#pragma once

#include "keys/result.hpp"

namespace ifex::search_errors {

// Another process (a running node, a reindex) holds the index's write lock.
inline constexpr char index_locked[] = "index_locked";
// The index has not been built yet.
inline constexpr char no_index[] = "no_index";
// The query cannot be read; the message says why.
inline constexpr char bad_query[] = "bad_query";
// A remote shard (xapian-tcpsrv) cannot be reached or broke off; the message names it, so it
// is for the operator's log, not for a public reader.
inline constexpr char shard_unavailable[] = "shard_unavailable";
// The index on disk holds another part of a sharded index than the configuration asks for.
inline constexpr char shard_mismatch[] = "shard_mismatch";

inline bool is_index_locked(const Error& e) {
  return e.code == index_locked;
}
inline bool is_no_index(const Error& e) {
  return e.code == no_index;
}
inline bool is_shard_unavailable(const Error& e) {
  return e.code == shard_unavailable;
}

}  // namespace ifex::search_errors
