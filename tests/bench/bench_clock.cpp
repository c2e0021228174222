// bench_clock: the size of a clock of N authors in gossip version 3 (bytes, parts) and the time
// to cut, encode, decode and gather it, as one node spends on each connection. Prints figures
// (docs/performance.md, "Clocks of large federations"); asserts nothing.
//   bench_clock [--authors N] [--rounds R]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "protocol/clock_parts.hpp"
#include "protocol/gossip_messages.hpp"

using namespace ifex;

namespace {

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t authors = 10'000;
  std::size_t rounds = 50;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--authors") == 0) authors = std::stoul(argv[i + 1]);
    else if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::stoul(argv[i + 1]);
  }
  if (authors == 0 || rounds == 0) {
    std::fprintf(stderr, "usage: bench_clock [--authors N] [--rounds R]\n");
    return 2;
  }
  // Every author holding entries, each head with its id: the largest clock of N authors.
  ClockMsg clock;
  for (std::size_t i = 0; i < authors; ++i) {
    Bytes key(32), id(32);
    for (std::size_t k = 0; k < 32; ++k) {
      key[k] = static_cast<std::uint8_t>((i * 131 + k * 7) >> (k % 3));
      id[k] = static_cast<std::uint8_t>(i + k);
    }
    key[0] = static_cast<std::uint8_t>(i >> 8);
    key[1] = static_cast<std::uint8_t>(i);
    clock.heads.push_back({*PublicKey::from(key), 1 + i % 5000, *Hash::from(id)});
  }
  const GossipLimits limits;
  std::size_t bytes = 0;
  std::size_t parts = 0;
  double encode_ms = 0, decode_ms = 0;
  for (std::size_t r = 0; r < rounds; ++r) {
    auto start = std::chrono::steady_clock::now();
    std::vector<Bytes> frames;
    for (const ClockPartMsg& part : split_clock(clock, limits.max_message_bytes))
      frames.push_back(encode_gossip(part, GossipVersion::v3));
    encode_ms += ms_since(start);

    start = std::chrono::steady_clock::now();
    ClockAssembler gather(limits.max_clock_authors);
    std::optional<ClockMsg> whole;
    for (const Bytes& f : frames) {
      auto m = decode_gossip(f, limits);
      if (!m) return std::fprintf(stderr, "decode: %s\n", m.error().message.c_str()), 1;
      auto g = gather.add(std::get<ClockPartMsg>(std::move(*m)));
      if (!g) return std::fprintf(stderr, "gather: %s\n", g.error().message.c_str()), 1;
      if (*g) whole = std::move(**g);
    }
    decode_ms += ms_since(start);
    if (!whole || !(*whole == clock)) return std::fprintf(stderr, "clock did not come back\n"), 1;
    bytes = 0;
    for (const Bytes& f : frames) bytes += f.size();
    parts = frames.size();
  }
  const std::size_t one_message = encode_gossip(clock, GossipVersion::v2).size();
  std::printf("authors %zu: version 3 clock %zu bytes in %zu parts (at most %zu bytes each); "
              "as one version-2 message it would be %zu bytes (limit %zu)\n",
              authors, bytes, parts, limits.max_message_bytes, one_message,
              limits.max_message_bytes);
  std::printf("cut and encode %.3f ms, decode and gather %.3f ms (mean of %zu rounds)\n",
              encode_ms / static_cast<double>(rounds), decode_ms / static_cast<double>(rounds),
              rounds);
  return 0;
}
