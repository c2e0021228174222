// fill_roster: adds N roster members with no node behind them to a stopped node's store, fast,
// for checks that need a federation larger than one clock message (10,000 `roster add` calls
// would take minutes, and the CLI wants real key texts). Half the keys sort before every real
// key and half after, so the real members sit in the middle of the clock.
//   fill_roster --data DIR --count N
#include <cstdio>
#include <cstring>
#include <string>

#include "node/home/node_handle.hpp"

using namespace ifex;

int main(int argc, char** argv) {
  std::string data;
  std::size_t count = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--data") == 0) data = argv[i + 1];
    else if (std::strcmp(argv[i], "--count") == 0) count = std::stoul(argv[i + 1]);
  }
  if (data.empty() || count == 0 || count > 65'536) {
    std::fprintf(stderr, "usage: fill_roster --data DIR --count N (N at most 65536)\n");
    return 2;
  }
  auto node = NodeHandle::open(data);
  if (!node) return std::fprintf(stderr, "%s\n", node.error().message.c_str()), 1;
  for (std::size_t i = 0; i < count; ++i) {
    Bytes b(32, 0x42);
    b[0] = i < count / 2 ? 0x00 : 0xff;
    b[1] = static_cast<std::uint8_t>(i >> 8);
    b[2] = static_cast<std::uint8_t>(i);
    auto added = node->store().roster_add({*PublicKey::from(b), "", 1});
    if (!added) return std::fprintf(stderr, "%s\n", added.error().message.c_str()), 1;
  }
  std::printf("%zu\n", count);
  return 0;
}
