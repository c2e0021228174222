#include "protocol/append_outcome.hpp"

namespace ifex {

std::string_view outcome_name(AppendOutcome o) {
  switch (o) {
    case AppendOutcome::stored: return "stored";
    case AppendOutcome::duplicate: return "duplicate";
    case AppendOutcome::fork: return "fork";
    case AppendOutcome::frozen: return "frozen";
    case AppendOutcome::gap: return "gap";
    case AppendOutcome::prev_mismatch: return "prev_mismatch";
  }
  return "unknown";
}

}  // namespace ifex
