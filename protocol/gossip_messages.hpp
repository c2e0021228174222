// Gossip messages: what two nodes say to each other once the handshake is done. Each message is
// one encrypted frame; the plaintext is the canonical encoding (protocol/canonical.hpp) starting
// with the 0x01 flag and a u8 type. Byte layout: docs/protocol.md ("Gossip messages").
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "keys/bytes.hpp"
#include "keys/result.hpp"

namespace ifex {

// What a session speaks, agreed during the WebSocket upgrade (docs/protocol.md, "Versions").
// Version 2 adds the head's id to clock and have entries, so two nodes that hold different
// entries at the same seq of one log find the fork. Version 3 sends the clock in parts
// (ClockPartMsg), so that it no longer has to fit in one message.
enum class GossipVersion : std::uint8_t { v1 = 1, v2 = 2, v3 = 3 };
inline constexpr GossipVersion newest_gossip_version = GossipVersion::v3;

struct ClockEntry {
  ClockEntry() = default;
  ClockEntry(const PublicKey& author_, std::uint64_t seq_,
             std::optional<Hash> head_id_ = std::nullopt)
      : author(author_), seq(seq_), head_id(head_id_) {}

  PublicKey author;
  std::uint64_t seq = 0;  // 0: the sender accepts this author but holds none of its entries
  // The id of the sender's entry at `seq`: nullopt from a version-1 peer, for seq 0, or where
  // the sender does not say (encoded as 32 zero bytes).
  std::optional<Hash> head_id;
  friend bool operator==(const ClockEntry&, const ClockEntry&) = default;
};

// Sent once by each side right after the handshake: the logs the sender carries and how far.
struct ClockMsg {
  bool accepts_any_author = false;  // a relay: send it every author's log
  std::vector<ClockEntry> heads;
  friend bool operator==(const ClockMsg&, const ClockMsg&) = default;
};

// Signed entries, in seq order per author. `push` marks entries pushed live on the eager tree
// (a duplicate of one of those prunes the link); catch-up and graft replies are not `push`.
struct EntriesMsg {
  bool push = false;
  std::vector<Bytes> entries;
  friend bool operator==(const EntriesMsg&, const EntriesMsg&) = default;
};

// Lazy notes: "I now hold these logs up to these seqs".
struct HaveMsg {
  std::vector<ClockEntry> heads;
  friend bool operator==(const HaveMsg&, const HaveMsg&) = default;
};

// "You sent me a duplicate: stop pushing entries to me, send Have notes instead."
struct PruneMsg {
  friend bool operator==(const PruneMsg&, const PruneMsg&) = default;
};

// "Send me this author's entries from `from_seq` on, and push to me eagerly again."
struct GraftMsg {
  PublicKey author;
  std::uint64_t from_seq = 1;
  friend bool operator==(const GraftMsg&, const GraftMsg&) = default;
};

// Proof that an author forked its log; travels like an entry.
struct ForkProofMsg {
  Bytes proof;
  friend bool operator==(const ForkProofMsg&, const ForkProofMsg&) = default;
};

// Version 3: one part of a clock. The receiver gathers the parts a peer sends one after the
// other; the clock takes effect, as one ClockMsg, when the part with `last` set arrives
// (protocol/clock_parts.hpp). Entries always carry head ids.
struct ClockPartMsg {
  bool last = true;
  bool accepts_any_author = false;  // the same in every part of one clock
  std::vector<ClockEntry> heads;    // at least one unless `last`
  friend bool operator==(const ClockPartMsg&, const ClockPartMsg&) = default;
};

// New types go at the end: the simulator counts messages by this index.
using GossipMessage =
    std::variant<ClockMsg, EntriesMsg, HaveMsg, PruneMsg, GraftMsg, ForkProofMsg, ClockPartMsg>;

enum class GossipType : std::uint8_t {
  clock = 1,
  entries = 2,
  have = 3,
  prune = 4,
  graft = 5,
  fork_proof = 6,
  clock_with_ids = 7,  // version 2: a clock whose entries carry head ids
  have_with_ids = 8,   // version 2: have notes that carry head ids
  clock_part = 9,      // version 3: one part of a clock, entries with head ids
};

// Encoded sizes (docs/protocol.md, "Gossip messages"), for senders that must fit a message into
// the peer's max_message_bytes.
inline constexpr std::size_t clock_header_bytes = 1 + 1 + 1 + 8;       // types 1 and 7
inline constexpr std::size_t clock_part_header_bytes = 1 + 1 + 2 + 8;  // type 9
inline constexpr std::size_t have_header_bytes = 1 + 1 + 8;            // types 3 and 8
// One clock entry as `version` encodes it: 40 bytes in version 1, 72 with the head id.
constexpr std::size_t clock_entry_bytes(GossipVersion version) {
  return version >= GossipVersion::v2 ? 32 + 8 + 32 : 32 + 8;
}
// How many clock entries fit after a header of `header_bytes` in `max_message_bytes`.
constexpr std::size_t clock_entries_fitting(std::size_t max_message_bytes,
                                            std::size_t header_bytes, GossipVersion version) {
  return max_message_bytes > header_bytes
             ? (max_message_bytes - header_bytes) / clock_entry_bytes(version)
             : 0;
}

struct GossipLimits {
  std::size_t max_message_bytes = 128 * 1024;  // a whole plaintext message
  std::size_t max_entry_bytes = 64 * 1024;
  std::size_t max_clock_authors = 100'000;
  std::size_t max_entries_per_message = 1024;
};

// Clocks and have notes take the layout of `version` (head ids from version 2 on); the other
// messages are the same in every version. A ClockPartMsg always encodes as type 9 (it exists
// from version 3 on): the replicator sends it only on version-3 connections.
Bytes encode_gossip(const GossipMessage& message, GossipVersion version);
// Strict: unknown type, lengths over the limits, trailing bytes are errors. Entry bytes are not
// verified here (the ingest path verifies them off the network thread). Decodes the messages of
// every version: a clock or have note of version 1 comes out without head ids.
[[nodiscard]] Result<GossipMessage> decode_gossip(ByteView bytes, const GossipLimits& limits);

std::string_view gossip_type_name(const GossipMessage& message);

}  // namespace ifex
