// Every gossip message decoder, fed a decrypted frame's plaintext as a hostile peer would send
// it, under the node's limits and under tiny ones (so the limit checks are reached too). What
// decodes must re-encode to the same bytes, and the entries and fork proofs it carries then go
// through the verifying decoders, as the node's ingest path does.
#include <cstddef>
#include <cstdint>
#include <variant>

#include "fuzz_check.hpp"
#include "protocol/alert.hpp"
#include "protocol/clock_parts.hpp"
#include "protocol/entry.hpp"
#include "protocol/gossip_messages.hpp"
#include "protocol/log_rules.hpp"

namespace ifex {
namespace {

void check_under(ByteView input, const GossipLimits& limits) {
  auto message = decode_gossip(input, limits);
  if (!message) return;
  // Only clocks and have notes differ between versions, and their type byte says which (a clock
  // part exists only in version 3).
  const std::uint8_t type = input[1];
  const bool with_ids = type == static_cast<std::uint8_t>(GossipType::clock_with_ids) ||
                        type == static_cast<std::uint8_t>(GossipType::have_with_ids);
  const GossipVersion version = type == static_cast<std::uint8_t>(GossipType::clock_part)
                                    ? GossipVersion::v3
                                    : with_ids ? GossipVersion::v2 : GossipVersion::v1;
  const Bytes again = encode_gossip(*message, version);
  FUZZ_CHECK(again.size() == input.size() && std::equal(again.begin(), again.end(), input.begin()));
  FUZZ_CHECK(!gossip_type_name(*message).empty());

  const EntryLimits entry_limits{limits.max_entry_bytes};
  if (auto* m = std::get_if<EntriesMsg>(&*message)) {
    FUZZ_CHECK(!m->entries.empty() && m->entries.size() <= limits.max_entries_per_message);
    for (const Bytes& bytes : m->entries) {
      FUZZ_CHECK(bytes.size() <= limits.max_entry_bytes);
      auto entry = decode_entry(bytes, entry_limits);
      if (entry && entry->kind() == EntryKind::alert) (void)decode_alert(entry->payload());
    }
  } else if (auto* clock = std::get_if<ClockMsg>(&*message)) {
    FUZZ_CHECK(clock->heads.size() <= limits.max_clock_authors);
  } else if (auto* part = std::get_if<ClockPartMsg>(&*message)) {
    FUZZ_CHECK(part->heads.size() <= limits.max_clock_authors);
    FUZZ_CHECK(part->last || !part->heads.empty());
    // Gathered as a replicator does: never more than the bound, whatever the parts.
    ClockAssembler gather(limits.max_clock_authors);
    for (int i = 0; i < 3; ++i) {
      auto r = gather.add(*part);
      if (!r) break;
      if (*r) FUZZ_CHECK((*r)->heads.size() <= limits.max_clock_authors);
    }
  } else if (auto* have = std::get_if<HaveMsg>(&*message)) {
    FUZZ_CHECK(have->heads.size() <= limits.max_clock_authors);
  } else if (auto* graft = std::get_if<GraftMsg>(&*message)) {
    FUZZ_CHECK(graft->from_seq >= 1);
  } else if (auto* fork = std::get_if<ForkProofMsg>(&*message)) {
    (void)decode_fork_proof(fork->proof, entry_limits);
  }
}

}  // namespace
}  // namespace ifex

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ifex::ByteView input(data, size);
  ifex::check_under(input, ifex::GossipLimits{});
  ifex::GossipLimits tiny;
  tiny.max_message_bytes = 4096;
  tiny.max_entry_bytes = 1024;
  tiny.max_clock_authors = 3;
  tiny.max_entries_per_message = 2;
  ifex::check_under(input, tiny);
  return 0;
}
