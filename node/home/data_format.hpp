// The data directory's format version: one line in DIR/format, written by `init` and by the
// migration, read by every command that opens a node (NodeHandle::open). A node refuses a
// directory a newer ifexnode wrote (it could misread it and corrupt it) and migrates an older
// one in place (docs/operations.md, "Upgrades").
//
// Format 1: the layout before this file existed (no `format` file).
// Format 2: the same layout plus the `format` file.
#pragma once

#include <cstdint>
#include <string>

#include "keys/result.hpp"
#include "node/home/data_dir.hpp"

namespace ifex {

inline constexpr std::uint32_t current_data_format = 2;

// The format of an existing data directory: 1 when it has no `format` file.
Result<std::uint32_t> read_data_format(const DataDir& dir);
// Writes the current format, atomically (a temporary file renamed over it, both synced).
Status write_data_format(const DataDir& dir);
// Refuses a newer format; migrates an older one to the current format, step by step. Returns
// the format the directory had (for the caller to report a migration).
Result<std::uint32_t> prepare_data_format(const DataDir& dir);

}  // namespace ifex
