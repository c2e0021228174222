#include "node/bundle/bundle_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include "node/store/federation_load.hpp"
#include "protocol/bundle.hpp"
#include "protocol/entry_check.hpp"

namespace ifex {

namespace {

constexpr std::size_t export_page = 1024;

// Writes through a file descriptor so the data can be fsynced before the rename publishes it.
class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path target)
      : target_(std::move(target)), temp_(target_.string() + ".partial") {}
  ~AtomicFile() {
    if (fd_ >= 0) {
      ::close(fd_);
      ::unlink(temp_.c_str());
    }
  }
  Status open() {
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) return error("cannot create " + temp_.string());
    return Status::success();
  }
  Status write(ByteView bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return error("cannot write " + temp_.string());
      done += static_cast<std::size_t>(n);
    }
    written_ += bytes.size();
    return Status::success();
  }
  Status commit() {
    if (::fsync(fd_) != 0) return error("cannot sync " + temp_.string());
    ::close(fd_);
    fd_ = -1;
    if (::rename(temp_.c_str(), target_.c_str()) != 0) {
      auto st = error("cannot rename into " + target_.string());
      ::unlink(temp_.c_str());
      return st;
    }
    return Status::success();
  }
  std::uint64_t written() const { return written_; }

 private:
  static Error error(const std::string& what) {
    return make_error("io", what + ": " + std::strerror(errno));
  }
  std::filesystem::path target_;
  std::filesystem::path temp_;
  int fd_ = -1;
  std::uint64_t written_ = 0;
};

Result<Bytes> read_whole_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error("io", "cannot open " + file.string() + ": " + std::strerror(errno));
  in.seekg(0, std::ios::end);
  auto size = in.tellg();
  in.seekg(0);
  Bytes data(static_cast<std::size_t>(size));
  if (size > 0 && !in.read(reinterpret_cast<char*>(data.data()), size))
    return make_error("io", "cannot read " + file.string());
  return data;
}

}  // namespace

Result<ExportReport> export_bundle(const Store& store, const std::filesystem::path& out,
                                   const std::vector<PublicKey>& authors, bool overwrite) {
  if (!overwrite && std::filesystem::exists(out))
    return make_error("exists", out.string() + " exists; choose another name or remove it");
  std::vector<PublicKey> selected = authors;
  if (selected.empty()) {
    auto clock = store.clock();
    if (!clock) return clock.error();
    for (const auto& [author, head] : *clock) selected.push_back(author);
  }
  AtomicFile file(out);
  if (auto st = file.open(); !st) return st.error();
  ExportReport report;
  std::uint64_t records = 0;
  if (auto st = file.write(bundle_header()); !st) return st.error();
  for (const PublicKey& author : selected) {
    for (std::uint64_t from = 1;;) {
      auto page = store.log_range(author, from, export_page);
      if (!page) return page.error();
      for (const SignedEntry& e : *page) {
        if (auto st = file.write(bundle_record(BundleRecordType::entry, e.bytes())); !st)
          return st.error();
        ++records;
        ++report.entries;
      }
      if (page->size() < export_page) break;
      from = page->back().seq() + 1;
    }
  }
  auto proofs = store.fork_proofs();
  if (!proofs) return proofs.error();
  for (const ForkProof& proof : *proofs) {
    if (!authors.empty() &&
        std::find(authors.begin(), authors.end(), proof.author()) == authors.end())
      continue;
    if (auto st = file.write(bundle_record(BundleRecordType::fork_proof, encode_fork_proof(proof)));
        !st)
      return st.error();
    ++records;
    ++report.fork_proofs;
  }
  if (auto st = file.write(bundle_trailer(records)); !st) return st.error();
  report.bytes = file.written();
  if (auto st = file.commit(); !st) return st.error();
  return report;
}

Result<ImportReport> import_bundle(Store& store, const std::filesystem::path& file,
                                   const ImportPolicy& policy) {
  auto data = read_whole_file(file);
  if (!data) return data.error();
  const EntryLimits& limits = store.options().limits;

  // Whose entries the running node would take: the federation's members and the local roster
  // (node/store/federation_load.hpp), and an ended log's up to its margin (last_carried_seq).
  auto roster = effective_roster(store);
  if (!roster) return roster.error();
  auto revoked = ended_keys(store);
  if (!revoked) return revoked.error();
  std::set<PublicKey> accepted{policy.own_key};
  for (const auto& m : *roster) accepted.insert(m.key);

  ImportReport report;
  struct Candidate {
    SignedEntry entry;
    std::uint64_t record;
  };
  std::vector<Candidate> candidates;
  auto reject = [&](std::uint64_t record, const SignedEntry* e, const Error& error) {
    RejectedRecord r{record, std::nullopt, std::nullopt, std::nullopt, error.code, error.message};
    if (e) r.author = e->author(), r.seq = e->seq(), r.id = e->id();
    report.rejected.push_back(std::move(r));
  };

  // Fork proofs can be larger than one entry: two entries plus framing.
  BundleReader reader(*data, 2 * limits.max_entry_bytes + 64);
  for (;;) {
    auto next = reader.next();
    if (!next) {
      report.bundle_error = next.error();
      break;
    }
    if (!*next) break;
    const BundleRecord& rec = **next;
    const std::uint64_t index = ++report.records;
    if (rec.type == BundleRecordType::fork_proof) {
      auto proof = decode_fork_proof(rec.body, limits);
      if (!proof) {
        reject(index, nullptr, proof.error());
        continue;
      }
      auto added = store.add_fork_proof(*proof);
      if (!added) return added.error();
      if (*added) ++report.fork_proofs_added;
      continue;
    }
    EntryCheck check =
        check_entry(rec.body, {limits, ClockPolicy{policy.now_ms, policy.max_clock_skew_ms}});
    if (!check.entry) {
      reject(index, nullptr, *check.error);
      continue;
    }
    // The roster is named before the payload or the date: an entry from outside the federation
    // is refused as such whatever else is wrong with it.
    if (auto r = revoked->find(check.entry->author()); r != revoked->end()) {
      if (check.entry->seq() > last_carried_seq(r->second)) {
        reject(index, &*check.entry,
               make_error("revoked", "the federation ended this key's log after its seq " +
                                         std::to_string(r->second)));
        continue;
      }
    } else if (!accepted.count(check.entry->author())) {
      reject(index, &*check.entry,
             make_error("not_on_roster",
                        "the author is neither a member of this node's federation nor on its "
                        "roster (add it with `ifexnode roster add`)"));
      continue;
    }
    if (!check.accepted()) {
      reject(index, &*check.entry, *check.error);
      continue;
    }
    candidates.push_back({std::move(*check.entry), index});
  }

  // Chain order: by author, then seq; a bundle may list entries in any order.
  std::stable_sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
    if (a.entry.author() != b.entry.author()) return a.entry.author() < b.entry.author();
    return a.entry.seq() < b.entry.seq();
  });
  const std::size_t batch = std::max<std::size_t>(1, policy.batch_entries);
  for (std::size_t start = 0; start < candidates.size(); start += batch) {
    std::size_t end = std::min(candidates.size(), start + batch);
    std::vector<SignedEntry> entries;
    entries.reserve(end - start);
    for (std::size_t i = start; i < end; ++i) entries.push_back(candidates[i].entry);
    auto results = store.append(entries);
    if (!results) return results.error();
    for (std::size_t i = 0; i < results->size(); ++i) {
      const AppendResult& r = (*results)[i];
      const Candidate& c = candidates[start + i];
      switch (r.outcome) {
        case AppendOutcome::stored: ++report.stored; break;
        case AppendOutcome::duplicate: ++report.duplicates; break;
        default:
          reject(c.record, &c.entry, make_error(std::string(outcome_name(r.outcome)), r.reason));
      }
    }
  }
  return report;
}

}  // namespace ifex
