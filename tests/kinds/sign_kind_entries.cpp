// Test-only: appends entries of any kind in the kind table to a node's own log, signed with the
// node's real key file, so the end-to-end tests can make logs holding reserved kinds (no
// user-facing command publishes them). Run it on a stopped node or beside `ifexnode run`, as
// `ifexnode publish` is.
//
//   sign_kind_entries --data DIR --kind NAME --payload TEXT [--count N]
//
// Prints one line per entry appended: "<id hex> <seq> <kind name>".
#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>

#include "node/home/node_handle.hpp"
#include "protocol/entry.hpp"

namespace {

int usage(const std::string& why) {
  std::cerr << "sign_kind_entries: " << why
            << "\nusage: sign_kind_entries --data DIR --kind NAME --payload TEXT [--count N]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data, kind_text, payload;
  std::uint64_t count = 1;
  bool payload_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return usage("missing the value of " + flag);
    const std::string value = argv[++i];
    if (flag == "--data")
      data = value;
    else if (flag == "--kind")
      kind_text = value;
    else if (flag == "--payload")
      payload = value, payload_given = true;
    else if (flag == "--count")
      count = std::stoull(value);
    else
      return usage("unknown option " + flag);
  }
  if (data.empty() || kind_text.empty() || !payload_given) return usage("missing an option");
  auto kind = ifex::kind_from_name(kind_text);
  if (!kind) return usage("'" + kind_text + "' is not a kind of the table");

  auto node = ifex::NodeHandle::open(data);
  if (!node) return usage(node.error().message);
  auto identity = node->load_identity(std::nullopt);
  if (!identity) return usage("loading the identity key: " + identity.error().message);
  for (std::uint64_t i = 0; i < count; ++i) {
    std::string text = count == 1 ? payload : payload + " #" + std::to_string(i + 1);
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    auto entry = node->store().append_own(
        *identity, *kind, ifex::Bytes(text.begin(), text.end()),
        static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(now).count()));
    if (!entry) {
      std::cerr << "sign_kind_entries: appending: " << entry.error().message << "\n";
      return 1;
    }
    std::cout << entry->id().hex() << " " << entry->seq() << " " << ifex::kind_name(*kind) << "\n";
  }
  return 0;
}
