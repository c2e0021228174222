// Clock files (`ifexnode export --since FILE` reads one from a USB stick): decode_clock_file under
// the real limit and a tiny one. The first input byte picks: even, the rest as it is; odd, the
// rest with its last 32 bytes replaced by the right checksum, so the fuzzer reaches the record
// checks behind it. An accepted file re-encodes to exactly its bytes (one encoding per clock).
#include <cstddef>
#include <cstdint>

#include "fuzz_check.hpp"
#include "protocol/clock_file.hpp"

namespace ifex {
namespace {

void check(ByteView file, std::uint32_t max_authors) {
  auto logs = decode_clock_file(file, max_authors);
  if (!logs) {
    FUZZ_CHECK(!logs.error().code.empty() && !logs.error().message.empty());
    return;
  }
  FUZZ_CHECK(logs->size() <= max_authors);
  FUZZ_CHECK(file.size() == clock_file_size(logs->size()));
  for (std::size_t i = 0; i < logs->size(); ++i) {
    const HeldLog& log = (*logs)[i];
    FUZZ_CHECK(log.head.seq > 0 || log.head.id.is_zero());
    FUZZ_CHECK(i == 0 || (*logs)[i - 1].author < log.author);
  }
  FUZZ_CHECK(encode_clock_file(*logs) == Bytes(file.begin(), file.end()));
}

}  // namespace
}  // namespace ifex

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  ifex::Bytes file(data + 1, data + size);
  if (data[0] % 2 == 1 && file.size() >= ifex::clock_file_checksum_size) {
    const std::size_t body = file.size() - ifex::clock_file_checksum_size;
    ifex::Hash sum = ifex::blake2b_256({ifex::ByteView(file).first(body)});
    std::copy(sum.bytes.begin(), sum.bytes.end(), file.begin() + static_cast<long>(body));
  }
  ifex::check(file, ifex::clock_file_max_authors);
  ifex::check(file, 2);
  return 0;
}
