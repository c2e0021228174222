#include "protocol/gossip_messages.hpp"

#include <iterator>

#include "protocol/canonical.hpp"

namespace ifex {

namespace {


void write_heads(CanonicalWriter& w, const std::vector<ClockEntry>& heads, bool with_ids) {
  w.u64(heads.size());
  for (const auto& h : heads) {
    w.fixed(h.author.view());
    w.u64(h.seq);
    if (with_ids) w.fixed((h.seq > 0 && h.head_id ? *h.head_id : Hash{}).view());
  }
}

std::vector<ClockEntry> read_heads(CanonicalReader& r, std::size_t max, bool with_ids) {
  std::uint64_t n = r.count(max, "clock entries");
  const std::size_t size = clock_entry_bytes(with_ids ? GossipVersion::v2 : GossipVersion::v1);
  if (n * size > r.remaining()) CanonicalReader::fail("truncated", "input ends inside a clock");
  std::vector<ClockEntry> heads(n);
  for (auto& h : heads) {
    h.author = r.fixed<PublicKey>();
    h.seq = r.u64();
    if (!with_ids) continue;
    const Hash id = r.fixed<Hash>();
    // One encoding per clock: an author of which nothing is held has no head to name.
    if (h.seq == 0 && !id.is_zero())
      CanonicalReader::fail("not_canonical", "a head id for seq 0 must be zero");
    if (!id.is_zero()) h.head_id = id;
  }
  return heads;
}

bool read_flag(CanonicalReader& r, std::string_view what) {
  std::uint8_t v = r.u8();
  if (v > 1) CanonicalReader::fail("not_canonical", std::string(what) + " must be 0 or 1");
  return v == 1;
}

}  // namespace

Bytes encode_gossip(const GossipMessage& message, GossipVersion version) {
  const bool with_ids = version >= GossipVersion::v2;
  CanonicalWriter w;
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, ClockMsg>) {
          w.u8(static_cast<std::uint8_t>(with_ids ? GossipType::clock_with_ids : GossipType::clock));
          w.u8(m.accepts_any_author ? 1 : 0);
          write_heads(w, m.heads, with_ids);
        } else if constexpr (std::is_same_v<T, EntriesMsg>) {
          w.u8(static_cast<std::uint8_t>(GossipType::entries));
          w.u8(m.push ? 1 : 0);
          w.u64(m.entries.size());
          for (const auto& e : m.entries) w.bytes(e);
        } else if constexpr (std::is_same_v<T, HaveMsg>) {
          w.u8(static_cast<std::uint8_t>(with_ids ? GossipType::have_with_ids : GossipType::have));
          write_heads(w, m.heads, with_ids);
        } else if constexpr (std::is_same_v<T, PruneMsg>) {
          w.u8(static_cast<std::uint8_t>(GossipType::prune));
        } else if constexpr (std::is_same_v<T, GraftMsg>) {
          w.u8(static_cast<std::uint8_t>(GossipType::graft));
          w.fixed(m.author.view());
          w.u64(m.from_seq);
        } else if constexpr (std::is_same_v<T, ForkProofMsg>) {
          w.u8(static_cast<std::uint8_t>(GossipType::fork_proof));
          w.bytes(m.proof);
        } else if constexpr (std::is_same_v<T, ClockPartMsg>) {
          w.u8(static_cast<std::uint8_t>(GossipType::clock_part));
          w.u8(m.last ? 1 : 0);
          w.u8(m.accepts_any_author ? 1 : 0);
          write_heads(w, m.heads, true);
        }
      },
      message);
  return w.finish();
}

Result<GossipMessage> decode_gossip(ByteView bytes, const GossipLimits& limits) {
  if (bytes.size() > limits.max_message_bytes)
    return make_error("too_large", "gossip message of " + std::to_string(bytes.size()) +
                                       " bytes; the limit is " +
                                       std::to_string(limits.max_message_bytes));
  return decode_guarded<GossipMessage>([&]() -> Result<GossipMessage> {
    CanonicalReader r(bytes);
    GossipMessage out;
    const auto type = static_cast<GossipType>(r.u8());
    switch (type) {
      case GossipType::clock:
      case GossipType::clock_with_ids: {
        ClockMsg m;
        m.accepts_any_author = read_flag(r, "accepts_any_author");
        m.heads = read_heads(r, limits.max_clock_authors, type == GossipType::clock_with_ids);
        out = std::move(m);
        break;
      }
      case GossipType::entries: {
        EntriesMsg m;
        m.push = read_flag(r, "push");
        m.entries.resize(r.count(limits.max_entries_per_message, "entries"));
        for (auto& e : m.entries) e = r.bytes(limits.max_entry_bytes, "an entry");
        if (m.entries.empty()) CanonicalReader::fail("empty", "an entries message must carry one");
        out = std::move(m);
        break;
      }
      case GossipType::have:
      case GossipType::have_with_ids: {
        HaveMsg m;
        m.heads = read_heads(r, limits.max_clock_authors, type == GossipType::have_with_ids);
        out = std::move(m);
        break;
      }
      case GossipType::prune:
        out = PruneMsg{};
        break;
      case GossipType::graft: {
        GraftMsg m;
        m.author = r.fixed<PublicKey>();
        m.from_seq = r.u64();
        if (m.from_seq == 0) CanonicalReader::fail("bad_seq", "graft from seq 0");
        out = m;
        break;
      }
      case GossipType::fork_proof: {
        ForkProofMsg m;
        m.proof = r.bytes(2 * limits.max_entry_bytes + 32, "a fork proof");
        out = std::move(m);
        break;
      }
      case GossipType::clock_part: {
        ClockPartMsg m;
        m.last = read_flag(r, "last");
        m.accepts_any_author = read_flag(r, "accepts_any_author");
        m.heads = read_heads(r, limits.max_clock_authors, true);
        // A part that adds nothing and ends nothing only keeps the receiver waiting.
        if (!m.last && m.heads.empty())
          CanonicalReader::fail("empty", "a clock part that is not the last must carry an entry");
        out = std::move(m);
        break;
      }
      default:
        CanonicalReader::fail("unknown_type", "unknown gossip message type");
    }
    r.expect_end("the gossip message");
    return out;
  });
}

std::string_view gossip_type_name(const GossipMessage& message) {
  static constexpr std::string_view names[] = {"clock", "entries", "have", "prune", "graft",
                                               "fork_proof", "clock_part"};
  static_assert(std::size(names) == std::variant_size_v<GossipMessage>);
  return names[message.index()];
}

}  // namespace ifex
