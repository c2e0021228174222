// The table of entry kinds (docs/protocol.md, "Kinds"): for each kind this version knows, its
// name, whether it interprets the payload, the payload's rule, and whether listings, search and
// the feed show it. A new kind is one row here plus the handlers that read it.
//
// Kinds outside the table (0, 7..65535) are refused by decode_entry (`unknown_kind`). Reserved
// kinds are in the table without a payload rule: they are verified, stored, forwarded and kept
// in the chain, and nothing reads their payloads.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "keys/bytes.hpp"
#include "keys/result.hpp"
#include "protocol/entry.hpp"

namespace ifex {

struct EntryKindRow {
  EntryKind kind;
  std::string_view name;
  // This version decodes the payload and acts on it; false for the reserved kinds.
  bool interpreted = false;
  // The payload's own rule, checked after the signature; nullptr: none beyond the entry's
  // structure (a reserved kind's payload is opaque bytes).
  Status (*validate_payload)(ByteView payload) = nullptr;
  // Shown by listings, search, the catalog and the feed.
  bool listed = false;
};

// Every known kind, in value order.
std::span<const EntryKindRow> entry_kinds();

// The row of a kind value, or nullptr for a value outside the table.
const EntryKindRow* find_entry_kind(std::uint16_t value);

// REQUIRES: `kind` is a value in the table (every EntryKind a SignedEntry holds is).
const EntryKindRow& entry_kind(EntryKind kind);

}  // namespace ifex
