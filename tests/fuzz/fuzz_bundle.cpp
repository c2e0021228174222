// Bundles as `ifexnode import` reads them: the framing (protocol/bundle.hpp) straight from the
// bytes, then import_bundle (node/bundle/bundle_io.hpp) into a real store that is opened once per
// process. The store keeps what earlier inputs stored, as a node's would; the roster holds the
// fixture author, so the seeds' entries get past verification into the log rules.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <memory>

#include "fuzz_check.hpp"
#include "fuzz_fixtures.hpp"
#include "fuzz_workdir.hpp"
#include "node/bundle/bundle_io.hpp"
#include "protocol/bundle.hpp"

namespace ifex {
namespace {

struct World {
  fuzz::WorkDir dir{"bundle"};
  std::unique_ptr<Store> store;
  World() {
    StoreOptions options;
    options.dir = dir.path() / "store";
    options.map_size = std::size_t{256} << 20;
    auto opened = Store::open(options);
    FUZZ_CHECK(opened);
    store = std::move(*opened);
    FUZZ_CHECK(store->roster_add({fuzz::author().public_key(), "fixture author", 1}).ok());
    FUZZ_CHECK(store->roster_add({fuzz::forker().public_key(), "fixture forker", 1}).ok());
  }
};

World& world() {
  static World w;
  return w;
}

// The reader alone, with a small record limit: every record is counted once and errors stick.
void read_records(ByteView input) {
  BundleReader reader(input, 4096);
  for (;;) {
    auto next = reader.next();
    if (!next) {
      auto again = reader.next();
      FUZZ_CHECK(!again && again.error().code == next.error().code);
      return;
    }
    if (!*next) return;
    const BundleRecord& rec = **next;
    FUZZ_CHECK(rec.body.size() <= 4096);
    FUZZ_CHECK(rec.offset + bundle_record_header_size + rec.body.size() <= input.size());
  }
}

}  // namespace
}  // namespace ifex

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ifex;
  read_records(ByteView(data, size));

  World& w = world();
  const auto file = w.dir.path() / "input.bundle";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    FUZZ_CHECK(out.good());
  }
  ImportPolicy policy{fuzz::author().public_key(), 2};  // small batches: more commits per input
  auto report = import_bundle(*w.store, file, policy);
  FUZZ_CHECK(report);  // only a failing store may fail the import, and ours does not
  FUZZ_CHECK(report->stored + report->duplicates + report->rejected.size() <= report->records);
  return 0;
}
