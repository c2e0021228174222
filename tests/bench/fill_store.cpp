// fill_store: appends N signed ~1 KiB alerts to a node's own log in batches, fast, for
// benchmarks that need a large log (publishing them one CLI call at a time would take minutes).
//   fill_store --data DIR --count N [--body-bytes B]
// The node's key file must be unencrypted (benchmark nodes are).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "keys/key_file.hpp"
#include "node/home/node_handle.hpp"
#include "protocol/alert.hpp"

using namespace ifex;

int main(int argc, char** argv) {
  std::string data;
  std::size_t count = 0;
  std::size_t body_bytes = 800;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--data") == 0) data = argv[i + 1];
    else if (std::strcmp(argv[i], "--count") == 0) count = std::stoul(argv[i + 1]);
    else if (std::strcmp(argv[i], "--body-bytes") == 0) body_bytes = std::stoul(argv[i + 1]);
  }
  if (data.empty() || count == 0) {
    std::fprintf(stderr, "usage: fill_store --data DIR --count N [--body-bytes B]\n");
    return 2;
  }
  auto node = NodeHandle::open(data);
  if (!node) return std::fprintf(stderr, "%s\n", node.error().message.c_str()), 1;
  auto identity = node->load_identity(std::nullopt);
  if (!identity) return std::fprintf(stderr, "%s\n", identity.error().message.c_str()), 1;
  auto head = node->store().head(identity->public_key());
  LogHead h = head && *head ? **head : LogHead{};
  const auto now = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
  for (std::size_t done = 0; done < count;) {
    std::vector<SignedEntry> batch;
    for (; done < count && batch.size() < 1000; ++done) {
      Alert a;
      a.original = {"en", "Benchmark alert " + std::to_string(h.seq + 1),
                    "A synthetic alert for replication benchmarks.",
                    std::string(body_bytes, 'x')};
      a.country = "TN";
      a.categories = {"press-freedom"};
      EntryFields f{identity->public_key(), h.seq + 1, h.id, now + done, EntryKind::alert,
                    encode_alert(a)};
      batch.push_back(sign_entry(*identity, std::move(f)));
      h = head_after(batch.back());
    }
    auto r = node->store().append(batch);
    if (!r) return std::fprintf(stderr, "%s\n", r.error().message.c_str()), 1;
  }
  std::printf("%zu\n", count);
  return 0;
}
