// The [search] keys that name shards, read from their text form: `shard = "I/N"` (this node's
// index holds the I-th of N parts of the archive) and `remote = ["tcp://HOST:PORT", ...]` (the
// node searches those xapian-tcpsrv shards instead of a local index). docs/operations.md,
// "Search shards", says how they are built and served.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "keys/result.hpp"

namespace ifex {

struct ShardSpec {
  std::uint32_t number = 1;  // 1..count
  std::uint32_t count = 1;   // 1: the whole archive
};

struct ShardAddress {
  std::string host;  // a name, an IPv4 address, or an IPv6 address without its brackets
  std::uint16_t port = 0;
};

// "" is the whole archive (1/1). At most 1024 parts.
Result<ShardSpec> parse_shard_spec(std::string_view text);
// "tcp://HOST:PORT", with [ADDR] for IPv6.
Result<ShardAddress> parse_shard_address(std::string_view text);
Result<std::vector<ShardAddress>> parse_shard_addresses(const std::vector<std::string>& texts);

}  // namespace ifex
