#include "protocol/entry_check.hpp"

namespace ifex {

EntryCheck check_entry(ByteView bytes, const EntryCheckPolicy& policy) {
  EntryCheck check;
  auto decoded = decode_entry(bytes, policy.limits);
  if (!decoded) {
    check.error = decoded.error();
    return check;
  }
  check.kind = &entry_kind(decoded->kind());
  check.entry = std::move(*decoded);
  // The payload is read only now that the signature verified.
  if (check.kind->validate_payload) {
    if (auto valid = check.kind->validate_payload(check.entry->payload()); !valid) {
      check.error = valid.error();
      return check;
    }
  }
  if (policy.clock) {
    if (auto fresh =
            check_not_future(*check.entry, policy.clock->now_ms, policy.clock->max_skew_ms);
        !fresh) {
      check.verdict = EntryVerdict::in_future;
      check.error = fresh.error();
      return check;
    }
  }
  check.verdict = EntryVerdict::accepted;
  return check;
}

}  // namespace ifex
