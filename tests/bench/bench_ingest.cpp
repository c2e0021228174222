// Ingest benchmark: how close the running node's ingest path comes to the physical bound,
// libsodium's raw Ed25519 verify rate, measured in the same run. The path has the node's shape
// (docs/architecture.md, "Running node"): verify threads decode + verify entries and validate
// their alert payloads, as a session's verify strand does, and hand each verified batch through
// a bounded queue to ONE writer thread that group-commits it with Store::append (durable: LMDB
// syncs on commit), as the core thread does. With two verify threads the entries arrive from two
// "peers" carrying disjoint authors, since the node verifies one peer's messages in order on one
// strand. Also the durable publish path (sign + one transaction + fsync per alert).
//
// Besides entries per second, each row reports the CPU it consumed (getrusage: user + system
// seconds per wall second, "cores") and entries per CPU-second, so "on one core" is checked, not
// assumed. Prints a table; ratios within one run are what to compare across machines
// (docs/performance.md). No timed assertions.
//
//   bench_ingest [--entries N] [--dir PATH]
#include <sodium.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <set>
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

constexpr std::size_t batch_entries = 1000;  // entries per message, and per transaction
constexpr std::size_t queue_batches = 4;     // verified batches waiting for the writer, at most

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Cpu {
  double user = 0, system = 0;
  double total() const { return user + system; }
  Cpu operator-(const Cpu& o) const { return {user - o.user, system - o.system}; }
};

Cpu cpu_now(int who) {
  rusage u{};
  getrusage(who, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return {s(u.ru_utime), s(u.ru_stime)};
}

double cpu_seconds(int who) { return cpu_now(who).total(); }

// Wall and CPU time of one measured phase (the whole process: every thread it started).
struct Figures {
  double per_second = 0;
  double cores = 0;           // CPU seconds consumed per wall second
  double per_cpu_second = 0;  // entries per CPU second
};

class Phase {
 public:
  Phase() : wall_(Clock::now()), cpu_(cpu_seconds(RUSAGE_SELF)) {}
  Figures end(std::size_t count) const {
    double wall = seconds_since(wall_);
    double cpu = cpu_seconds(RUSAGE_SELF) - cpu_;
    return {count / wall, cpu / wall, cpu > 0 ? count / cpu : 0};
  }

 private:
  Clock::time_point wall_;
  double cpu_;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "%s\n", what.c_str());
  std::exit(1);
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

// Runs work(t) on `threads` threads (t = 0 on the calling thread) and waits for all of them.
template <class Fn>
void on_threads(unsigned threads, Fn work) {
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0u);
  for (auto& t : pool) t.join();
}

Figures raw_verify(const std::vector<SignedEntry>& entries, unsigned threads) {
  // Exactly what decode_entry verifies: domain || unsigned bytes against the author's key.
  std::vector<Bytes> messages;
  for (const auto& e : entries) {
    Bytes m(entry_signature_domain.begin(), entry_signature_domain.end());
    m.insert(m.end(), e.bytes().begin(), e.bytes().end() - Signature::size);
    messages.push_back(std::move(m));
  }
  std::atomic<std::size_t> ok{0};
  Phase phase;
  on_threads(threads, [&](unsigned t) {
    std::size_t mine = 0;
    for (std::size_t i = t; i < entries.size(); i += threads)
      mine += crypto_sign_verify_detached(entries[i].signature().data(), messages[i].data(),
                                          messages[i].size(), entries[i].author().data()) == 0;
    ok += mine;
  });
  Figures f = phase.end(entries.size());
  if (ok != entries.size()) die("raw verify failed");
  return f;
}

std::unique_ptr<Store> fresh_store(const std::filesystem::path& dir) {
  std::filesystem::remove_all(dir);
  StoreOptions options;
  options.dir = dir;
  options.map_size = std::size_t{8} << 30;
  auto store = Store::open(options);
  if (!store) die(store.error().message);
  return std::move(*store);
}

// Verified batches on their way from the verify threads to the writer, first in first out,
// bounded in count: a verify thread waits while the writer is `capacity` batches behind.
class BatchQueue {
 public:
  explicit BatchQueue(std::size_t capacity) : capacity_(capacity) {}

  // Returns the seconds spent waiting for room.
  double push(std::vector<SignedEntry> batch) {
    std::unique_lock lock(mutex_);
    auto start = Clock::now();
    room_.wait(lock, [&] { return batches_.size() < capacity_; });
    double waited = seconds_since(start);
    batches_.push_back(std::move(batch));
    ready_.notify_one();
    return waited;
  }
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    ready_.notify_all();
  }
  // Empty when closed and drained.
  std::optional<std::vector<SignedEntry>> pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !batches_.empty() || closed_; });
    if (batches_.empty()) return std::nullopt;
    auto batch = std::move(batches_.front());
    batches_.pop_front();
    room_.notify_one();
    return batch;
  }

 private:
  std::mutex mutex_;
  std::condition_variable room_, ready_;
  std::deque<std::vector<SignedEntry>> batches_;
  std::size_t capacity_;
  bool closed_ = false;
};

struct PipelineFigures {
  Figures all;
  std::size_t commits = 0;
  double writer_busy = 0;     // share of the wall time the writer spent in Store::append
  double writer_cores = 0;    // the writer thread's CPU seconds per wall second
  double writer_system = 0;   // of which in the kernel (writes, page faults, fsync)
  double verify_blocked = 0;  // share of the verify threads' time spent waiting for room
};

// The node's ingest path. Each verify thread plays one peer's verify strand: it receives that
// peer's messages (batches of wire encodings) in order, decodes + verifies every entry and
// validates its alert payload exactly as SessionBase::deliver does, and hands the batch to
// the writer, which plays NodeCore: roster filter, then one Store::append (one transaction, one
// sync) per batch, as NodeCore::flush_ingest does.
PipelineFigures ingest(const std::vector<SignedEntry>& entries, std::size_t author_count,
                       const std::filesystem::path& dir, unsigned threads) {
  auto store = fresh_store(dir);
  // Peer t carries the authors a with a % threads == t, so each author's log arrives in order.
  std::vector<std::vector<std::vector<Bytes>>> messages(threads);
  std::set<PublicKey> roster;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto& peer = messages[(i % author_count) % threads];
    if (peer.empty() || peer.back().size() == batch_entries) peer.emplace_back();
    peer.back().push_back(entries[i].bytes());
    roster.insert(entries[i].author());
  }

  BatchQueue queue(queue_batches);
  std::atomic<std::size_t> rejected{0};
  std::vector<double> blocked(threads, 0.0);
  std::size_t commits = 0, stored = 0;
  double writer_busy = 0;
  Cpu writer_cpu;

  Phase phase;
  std::thread writer([&] {
    Cpu cpu0 = cpu_now(RUSAGE_THREAD);
    while (auto batch = queue.pop()) {
      auto start = Clock::now();
      std::vector<SignedEntry> wanted;
      wanted.reserve(batch->size());
      for (auto& e : *batch)
        if (roster.count(e.author())) wanted.push_back(std::move(e));
      auto results = store->append(wanted);
      if (!results) die(results.error().message);
      ++commits;
      for (const auto& r : *results) stored += r.outcome == AppendOutcome::stored;
      writer_busy += seconds_since(start);
    }
    writer_cpu = cpu_now(RUSAGE_THREAD) - cpu0;
  });
  auto verify_start = Clock::now();
  on_threads(threads, [&](unsigned t) {
    const EntryLimits limits;
    for (const auto& message : messages[t]) {
      std::vector<SignedEntry> ok;
      ok.reserve(message.size());
      for (const Bytes& bytes : message) {
        auto e = decode_entry(bytes, limits);
        if (e && e->kind() == EntryKind::alert && decode_alert(e->payload()))
          ok.push_back(std::move(*e));
        else
          ++rejected;
      }
      blocked[t] += queue.push(std::move(ok));
    }
  });
  double verify_wall = seconds_since(verify_start);
  queue.close();
  writer.join();
  PipelineFigures f;
  f.all = phase.end(entries.size());
  double wall = entries.size() / f.all.per_second;

  auto count = store->entry_count();
  if (rejected || stored != entries.size() || !count || *count != entries.size())
    die("ingest stored " + std::to_string(stored) + " of " + std::to_string(entries.size()) +
        " (" + std::to_string(rejected.load()) + " rejected)");
  f.commits = commits;
  f.writer_busy = writer_busy / wall;
  f.writer_cores = writer_cpu.total() / wall;
  f.writer_system = writer_cpu.system / wall;
  double blocked_total = 0;
  for (double b : blocked) blocked_total += b;
  f.verify_blocked = blocked_total / (verify_wall * threads);
  return f;
}

// Signing and storing in batches: the path of an importer that authors entries (legacy import).
Figures batch_sign_and_store(const std::filesystem::path& dir, std::size_t count) {
  auto store = fresh_store(dir);
  Identity me = Identity::generate();
  LogHead head;
  Phase phase;
  for (std::size_t begin = 0; begin < count; begin += batch_entries) {
    std::vector<SignedEntry> signed_batch;
    for (std::size_t i = begin; i < std::min(count, begin + batch_entries); ++i) {
      EntryFields fields{me.public_key(), head.seq + 1, head.id, 1'700'000'000'000 + i,
                         EntryKind::alert, sample_payload(i)};
      signed_batch.push_back(sign_entry(me, std::move(fields)));
      head = head_after(signed_batch.back());
    }
    auto results = store->append(signed_batch);
    if (!results) die(results.error().message);
  }
  return phase.end(count);
}

struct PublishFigures {
  Figures all;
  double median_ms;
  double p99_ms;
};

PublishFigures durable_publish(const std::filesystem::path& dir, std::size_t count) {
  auto store = fresh_store(dir);
  Identity me = Identity::generate();
  std::vector<double> latencies;
  Phase phase;
  for (std::size_t i = 0; i < count; ++i) {
    auto t0 = Clock::now();
    auto e = store->append_own(me, EntryKind::alert, sample_payload(i), 1'700'000'000'000 + i);
    if (!e) die(e.error().message);
    latencies.push_back(seconds_since(t0) * 1000);
  }
  Figures all = phase.end(count);
  std::sort(latencies.begin(), latencies.end());
  return {all, latencies[latencies.size() / 2],
          latencies[std::min(latencies.size() - 1, latencies.size() * 99 / 100)]};
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t count = 20000;
  const std::size_t author_count = 20;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "ifex-bench-ingest";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--entries") == 0) count = std::stoul(argv[i + 1]);
    else if (std::strcmp(argv[i], "--dir") == 0) dir = argv[i + 1];
  }
  init_crypto();
  std::printf("ingest benchmark: %zu entries of ~1 KiB, %zu authors, batches of %zu, "
              "queue of %zu batches, store in %s\n",
              count, author_count, batch_entries, queue_batches, dir.c_str());
  std::printf("hardware threads: %u\n\n", std::thread::hardware_concurrency());
  Fixture f = make_entries(count, author_count);

  // The raw 1-thread rate moves by up to 20 % between runs on a shared machine, so it is
  // measured before, between and after the ingest rows; the bound is the fastest of the three,
  // which keeps every ratio on the conservative side.
  Figures raws[3];
  raws[0] = raw_verify(f.entries, 1);
  Figures raw2 = raw_verify(f.entries, 2);
  PipelineFigures in1 = ingest(f.entries, author_count, dir / "one", 1);
  raws[1] = raw_verify(f.entries, 1);
  PipelineFigures in2 = ingest(f.entries, author_count, dir / "two", 2);
  raws[2] = raw_verify(f.entries, 1);
  const Figures raw = *std::max_element(
      std::begin(raws), std::end(raws),
      [](const Figures& a, const Figures& b) { return a.per_second < b.per_second; });
  Figures signed_stored = batch_sign_and_store(dir / "sign", count);
  PublishFigures pub = durable_publish(dir / "publish", std::min<std::size_t>(count, 500));
  std::filesystem::remove_all(dir);

  // ratio: to the raw 1-core rate; per CPU-s ratio: entries per CPU second to raw verifies per
  // CPU second (1.00 would mean the path costs no CPU beyond the signature check).
  std::printf("%-56s %10s %6s %6s %11s %7s\n", "measure", "per second", "ratio", "cores",
              "per CPU-s", "ratio");
  auto row = [&](const char* name, const Figures& x, bool ratios) {
    if (ratios)
      std::printf("%-56s %10.0f %6.2f %6.2f %11.0f %7.2f\n", name, x.per_second,
                  x.per_second / raw.per_second, x.cores, x.per_cpu_second,
                  x.per_cpu_second / raw.per_cpu_second);
    else
      std::printf("%-56s %10.0f %6s %6.2f %11.0f %7s\n", name, x.per_second, "-", x.cores,
                  x.per_cpu_second, "-");
  };
  row("raw crypto_sign_verify_detached, 1 thread (the bound)", raw, true);
  row("raw crypto_sign_verify_detached, 2 threads", raw2, true);
  row("ingest: 1 verify thread -> queue -> 1 writer", in1.all, true);
  row("ingest: 2 verify threads -> queue -> 1 writer", in2.all, true);
  row("sign + group commit (batches of 1000), 1 thread", signed_stored, true);
  row("durable publish: sign + own txn + fsync, one at a time", pub.all, false);

  std::printf("\nraw 1-thread verify rate, before / between / after the ingest rows: "
              "%.0f / %.0f / %.0f per second (the bound is the fastest)\n",
              raws[0].per_second, raws[1].per_second, raws[2].per_second);
  std::printf("\n%-16s %8s %12s %13s %13s %24s\n", "ingest detail", "commits", "writer busy",
              "writer cores", "of which sys", "verify blocked on queue");
  for (auto [name, x] : {std::pair{"1 verify thread ", &in1}, std::pair{"2 verify threads", &in2}})
    std::printf("%s %8zu %10.0f %% %13.2f %13.2f %22.0f %%\n", name, x->commits,
                x->writer_busy * 100, x->writer_cores, x->writer_system, x->verify_blocked * 100);
  std::printf("\ndurable publish latency: median %.2f ms, p99 %.2f ms\n", pub.median_ms,
              pub.p99_ms);
  return 0;
}
