// Where a verified entry went when a store tried to append it. One list for every store (the
// node's LMDB store and the simulator's in-memory one), so the code that acts on the outcome
// (protocol/ingest.hpp) is one too.
#pragma once

#include <string_view>

namespace ifex {

enum class AppendOutcome {
  stored,         // new, committed
  duplicate,      // already held (same id)
  fork,           // a different entry holds this seq: a fork proof was recorded, log frozen
  frozen,         // the author's log is frozen by a fork proof; nothing more is accepted
  gap,            // predecessors are missing; not stored
  prev_mismatch,  // seq fits but prev names another entry; not stored
};

// A stable slug ("stored", "prev_mismatch", ...), as bundle import reports print it.
std::string_view outcome_name(AppendOutcome outcome);

}  // namespace ifex
