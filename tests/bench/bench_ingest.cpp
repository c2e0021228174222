// Ingest benchmark: how close decoding + verifying + group-committing entries to LMDB comes to
// the physical bound, libsodium's raw Ed25519 verify rate, measured in the same run. Also the
// durable publish path (sign + one transaction + fsync per alert). Prints a table; ratios
// within one run are what to compare across machines (docs/performance.md).
//
//   bench_ingest [--entries N] [--dir PATH]
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "keys/identity.hpp"
#include "node/store/store.hpp"
#include "protocol/alert.hpp"
#include "protocol/entry.hpp"

using namespace ifex;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A ~1 KiB alert like the legacy archive's: title, summary, body of a few hundred words.
Bytes sample_payload(std::size_t i) {
  Alert a;
  a.original = {"en", "Journalist detained after reporting on protests #" + std::to_string(i),
                "A reporter was held for questioning for two days without charge.",
                std::string(800, 'x')};
  a.country = "TN";
  a.categories = {"press-freedom", "detention"};
  a.event_date = "2026-11-01";
  a.sources = {"https://example.org/alerts/" + std::to_string(i)};
  return encode_alert(a);
}

struct Fixture {
  std::vector<Identity> authors;
  std::vector<SignedEntry> entries;  // chained per author, interleaved
};

Fixture make_entries(std::size_t count, std::size_t author_count) {
  Fixture f;
  for (std::size_t a = 0; a < author_count; ++a) f.authors.push_back(Identity::generate());
  std::vector<LogHead> heads(author_count);
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t a = i % author_count;
    EntryFields fields{f.authors[a].public_key(), heads[a].seq + 1, heads[a].id,
                       1'700'000'000'000 + i, EntryKind::alert, sample_payload(i)};
    f.entries.push_back(sign_entry(f.authors[a], std::move(fields)));
    heads[a] = head_after(f.entries.back());
  }
  return f;
}

double raw_verify_rate(const std::vector<SignedEntry>& entries) {
  // Exactly what decode_entry verifies: domain || unsigned bytes against the author's key.
  std::vector<Bytes> messages;
  for (const auto& e : entries) {
    Bytes m(entry_signature_domain.begin(), entry_signature_domain.end());
    m.insert(m.end(), e.bytes().begin(), e.bytes().end() - Signature::size);
    messages.push_back(std::move(m));
  }
  auto start = Clock::now();
  std::size_t ok = 0;
  for (std::size_t i = 0; i < entries.size(); ++i)
    ok += crypto_sign_verify_detached(entries[i].signature().data(), messages[i].data(),
                                      messages[i].size(), entries[i].author().data()) == 0;
  double s = seconds_since(start);
  if (ok != entries.size()) std::fprintf(stderr, "raw verify failed\n"), std::exit(1);
  return entries.size() / s;
}

std::unique_ptr<Store> fresh_store(const std::filesystem::path& dir) {
  std::filesystem::remove_all(dir);
  StoreOptions options;
  options.dir = dir;
  options.map_size = std::size_t{8} << 30;
  auto store = Store::open(options);
  if (!store) std::fprintf(stderr, "%s\n", store.error().message.c_str()), std::exit(1);
  return std::move(*store);
}

// Decodes and verifies entries on `threads` threads, one writer group-committing batches.
double ingest_rate(const std::vector<SignedEntry>& entries, const std::filesystem::path& dir,
                   unsigned threads, std::size_t batch) {
  auto store = fresh_store(dir);
  std::vector<std::vector<std::uint8_t>> wire;
  for (const auto& e : entries) wire.push_back(e.bytes());
  auto start = Clock::now();
  for (std::size_t begin = 0; begin < wire.size(); begin += batch) {
    std::size_t end = std::min(wire.size(), begin + batch);
    std::vector<std::optional<SignedEntry>> decoded(end - begin);
    std::atomic<std::size_t> next{begin};
    auto work = [&] {
      for (std::size_t i; (i = next.fetch_add(1)) < end;) {
        auto e = decode_entry(wire[i], EntryLimits{});
        if (e && e->kind() == EntryKind::alert && decode_alert(e->payload()))
          decoded[i - begin] = std::move(*e);
      }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    std::vector<SignedEntry> ready;
    for (auto& d : decoded)
      if (d) ready.push_back(std::move(*d));
    auto results = store->append(ready);
    if (!results) std::fprintf(stderr, "%s\n", results.error().message.c_str()), std::exit(1);
  }
  double s = seconds_since(start);
  auto count = store->entry_count();
  if (!count || *count != entries.size())
    std::fprintf(stderr, "ingest stored %llu of %zu\n",
                 static_cast<unsigned long long>(count ? *count : 0), entries.size()),
        std::exit(1);
  return entries.size() / s;
}

// Signing and storing in batches: the path of an importer that authors entries (legacy import).
double batch_sign_and_store(const std::filesystem::path& dir, std::size_t count,
                            std::size_t batch) {
  auto store = fresh_store(dir);
  Identity me = Identity::generate();
  LogHead head;
  auto start = Clock::now();
  for (std::size_t begin = 0; begin < count; begin += batch) {
    std::vector<SignedEntry> signed_batch;
    for (std::size_t i = begin; i < std::min(count, begin + batch); ++i) {
      EntryFields fields{me.public_key(), head.seq + 1, head.id, 1'700'000'000'000 + i,
                         EntryKind::alert, sample_payload(i)};
      signed_batch.push_back(sign_entry(me, std::move(fields)));
      head = head_after(signed_batch.back());
    }
    auto results = store->append(signed_batch);
    if (!results) std::fprintf(stderr, "%s\n", results.error().message.c_str()), std::exit(1);
  }
  return count / seconds_since(start);
}

struct PublishFigures {
  double per_second;
  double median_ms;
  double p99_ms;
};

PublishFigures durable_publish(const std::filesystem::path& dir, std::size_t count) {
  auto store = fresh_store(dir);
  Identity me = Identity::generate();
  std::vector<double> latencies;
  auto start = Clock::now();
  for (std::size_t i = 0; i < count; ++i) {
    auto t0 = Clock::now();
    auto e = store->append_own(me, EntryKind::alert, sample_payload(i), 1'700'000'000'000 + i);
    if (!e) std::fprintf(stderr, "%s\n", e.error().message.c_str()), std::exit(1);
    latencies.push_back(seconds_since(t0) * 1000);
  }
  double total = seconds_since(start);
  std::sort(latencies.begin(), latencies.end());
  return {count / total, latencies[latencies.size() / 2],
          latencies[std::min(latencies.size() - 1, latencies.size() * 99 / 100)]};
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t count = 20000;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "ifex-bench-ingest";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--entries") == 0) count = std::stoul(argv[i + 1]);
    else if (std::strcmp(argv[i], "--dir") == 0) dir = argv[i + 1];
  }
  init_crypto();
  std::printf("ingest benchmark: %zu entries of ~1 KiB, 20 authors, batches of 1000, store in %s\n",
              count, dir.c_str());
  std::printf("hardware threads: %u\n\n", std::thread::hardware_concurrency());
  Fixture f = make_entries(count, 20);

  double raw = raw_verify_rate(f.entries);
  double ingest1 = ingest_rate(f.entries, dir / "one", 1, 1000);
  double ingest2 = ingest_rate(f.entries, dir / "two", 2, 1000);
  double signed_stored = batch_sign_and_store(dir / "sign", count, 1000);
  PublishFigures pub = durable_publish(dir / "publish", std::min<std::size_t>(count, 500));
  std::filesystem::remove_all(dir);

  std::printf("%-58s %12s %8s\n", "measure", "per second", "ratio");
  std::printf("%-58s %12.0f %8s\n", "raw crypto_sign_verify_detached, 1 core (the bound)", raw, "1.00");
  std::printf("%-58s %12.0f %8.2f\n", "decode+verify+group-commit to LMDB, 1 thread", ingest1,
              ingest1 / raw);
  std::printf("%-58s %12.0f %8.2f\n", "decode+verify (2 threads) + group-commit to LMDB", ingest2,
              ingest2 / raw);
  std::printf("%-58s %12.0f %8.2f\n", "sign + group-commit to LMDB (batches of 1000), 1 thread",
              signed_stored, signed_stored / raw);
  std::printf("%-58s %12.0f %8s\n", "durable publish: sign + own txn + fsync, one at a time",
              pub.per_second, "-");
  std::printf("\ndurable publish latency: median %.2f ms, p99 %.2f ms\n", pub.median_ms, pub.p99_ms);
  return 0;
}
