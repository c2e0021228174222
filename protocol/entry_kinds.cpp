#include "protocol/entry_kinds.hpp"

#include <array>
#include <stdexcept>
#include <string>

#include "protocol/alert.hpp"

namespace ifex {

namespace {

Status validate_alert_payload(ByteView payload) {
  if (auto alert = decode_alert(payload); !alert) return alert.error();
  return Status::success();
}

// Reserved rows: no payload rule and not listed until their formats are specified.
constexpr std::array<EntryKindRow, 6> rows = {{
    {EntryKind::alert, "alert", true, &validate_alert_payload, true},
    {EntryKind::update, "update"},
    {EntryKind::retract, "retract"},
    {EntryKind::endorse, "endorse"},
    // Interpreted by the roster rule (protocol/federation_roster.hpp), but without a payload
    // rule at ingest: a roster payload this version cannot decode (a later format) is stored
    // and forwarded like a reserved kind's, so the author's log stays whole, and the rule
    // ignores it.
    {EntryKind::roster, "roster", true},
    {EntryKind::key, "key"},
}};

}  // namespace

std::span<const EntryKindRow> entry_kinds() {
  return rows;
}

const EntryKindRow* find_entry_kind(std::uint16_t value) {
  for (const EntryKindRow& row : rows)
    if (static_cast<std::uint16_t>(row.kind) == value) return &row;
  return nullptr;
}

const EntryKindRow& entry_kind(EntryKind kind) {
  // A SignedEntry only holds kinds decode_entry or sign_entry accepted, which are the table's.
  const EntryKindRow* row = find_entry_kind(static_cast<std::uint16_t>(kind));
  if (!row)
    throw std::invalid_argument("entry kind " + std::to_string(static_cast<unsigned>(kind)) +
                                " is not in the table");
  return *row;
}

}  // namespace ifex
