// Entries, alert payloads and fork proofs from untrusted bytes (what a bundle or a peer hands
// us). The first byte picks the decoder; the rest is its input:
//   0: decode_entry (signature checked) and decode_trusted_entry (structure only, so mutations
//      reach past the signature), then the alert payload and the log rules
//   1: decode_alert alone
//   2: decode_fork_proof
// Besides "never crashes", each decoder must be canonical: what it accepts re-encodes to the
// exact input, since ids and signatures are over those bytes.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.hpp"
#include "protocol/alert.hpp"
#include "protocol/entry.hpp"
#include "protocol/log_rules.hpp"

namespace ifex {
namespace {

bool equal(ByteView a, ByteView b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

void check_alert_payload(ByteView payload) {
  auto alert = decode_alert(payload);
  if (!alert) return;
  FUZZ_CHECK(validate_alert(*alert, Vocabulary::any_well_formed));
  FUZZ_CHECK(equal(encode_alert(*alert), payload));
}

void check_entry(ByteView input) {
  EntryLimits limits;
  auto trusted = decode_trusted_entry(input, limits);
  auto verified = decode_entry(input, limits);
  // The signature check only ever refuses more.
  if (verified) FUZZ_CHECK(trusted && trusted->id() == verified->id());
  if (!trusted) return;
  const SignedEntry& e = *trusted;
  FUZZ_CHECK(equal(e.bytes(), input));
  FUZZ_CHECK(e.id() == entry_id(input));
  auto unsigned_part = encode_unsigned_entry(e.fields());
  FUZZ_CHECK(unsigned_part);
  FUZZ_CHECK(equal(*unsigned_part, input.first(input.size() - Signature::size)));
  if (e.kind() == EntryKind::alert) check_alert_payload(e.payload());

  // Where it would fit in a log: empty, right after its predecessor, far behind.
  LogHead empty;
  LogHead before{e.seq() - 1, e.prev()};
  FUZZ_CHECK(fit_entry(empty, e) == (e.seq() == 1 ? ChainFit::next : ChainFit::gap));
  FUZZ_CHECK(fit_entry(before, e) == ChainFit::next);
  FUZZ_CHECK(fit_entry(head_after(e), e) == ChainFit::known_seq);
}

void check_fork_proof(ByteView input) {
  auto proof = decode_fork_proof(input, EntryLimits{});
  if (!proof) return;
  FUZZ_CHECK(proof->first().author() == proof->second().author());
  FUZZ_CHECK(proof->first().seq() == proof->second().seq());
  FUZZ_CHECK(proof->first().id() < proof->second().id());
  FUZZ_CHECK(equal(encode_fork_proof(*proof), input));
}

}  // namespace
}  // namespace ifex

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  ifex::ByteView input(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: ifex::check_entry(input); break;
    case 1: ifex::check_alert_payload(input); break;
    case 2: ifex::check_fork_proof(input); break;
  }
  return 0;
}
