#include "node/bundle/bundle_io.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "node/bundle/bundle_file.hpp"
#include "node/store/federation_load.hpp"
#include "protocol/bundle.hpp"
#include "protocol/entry_check.hpp"

namespace ifex {

namespace {

constexpr std::size_t export_page = 1024;

}  // namespace

namespace {

// Which of one author's entries a bundle carries: seqs first..last (none when first > last).
struct EntrySpan {
  std::uint64_t first = 1;
  std::uint64_t last = 0;
  bool fork = false;  // the receiver's head differs from our entry at its seq
};

// What the clock's node lacks of a log we hold up to `ours` (docs/protocol.md, "Clock file").
Result<EntrySpan> missing_span(const Store& store, const PublicKey& author, const LogHead& ours,
                               bool we_hold_proof, const HeldLog* theirs) {
  EntrySpan span{1, ours.seq, false};
  if (!theirs) return span;
  // A fork proof freezes a log wherever it is held: entries would be refused as frozen there.
  if (we_hold_proof || theirs->fork_proof) return EntrySpan{1, 0, false};
  if (theirs->head.seq == 0) return span;
  // It holds more than we do: nothing to give (the routine the other way round brings its
  // entries here, and with them any fork below its head).
  if (theirs->head.seq > ours.seq) return EntrySpan{1, 0, false};
  auto at = store.entry_at(author, theirs->head.seq);
  if (!at) return at.error();
  if (!*at)
    return make_error("store_damaged", "no entry at seq " + std::to_string(theirs->head.seq) +
                                           " below the head of a log: run `ifexnode verify`");
  if ((*at)->id() == theirs->head.id) return EntrySpan{theirs->head.seq + 1, ours.seq, false};
  // Its entry at that seq is not ours: the author signed two. Ours alone lets the receiver's
  // import see both and record the fork proof; our later entries could never chain there.
  return EntrySpan{theirs->head.seq, theirs->head.seq, true};
}

}  // namespace

Result<ExportReport> export_bundle(const Store& store, const std::filesystem::path& out,
                                   const std::vector<PublicKey>& authors, bool overwrite,
                                   const std::optional<std::vector<HeldLog>>& since) {
  if (!overwrite && std::filesystem::exists(out))
    return make_error("exists", out.string() + " exists; choose another name or remove it");
  auto clock = store.clock();
  if (!clock) return clock.error();
  std::map<PublicKey, LogHead> heads(clock->begin(), clock->end());
  std::vector<PublicKey> selected = authors;
  if (selected.empty())
    for (const auto& [author, head] : *clock) selected.push_back(author);
  auto proofs = store.fork_proofs();
  if (!proofs) return proofs.error();
  std::set<PublicKey> proof_authors;
  for (const ForkProof& proof : *proofs) proof_authors.insert(proof.author());
  std::map<PublicKey, const HeldLog*> theirs;
  if (since)
    for (const HeldLog& log : *since) theirs[log.author] = &log;
  auto their_log = [&](const PublicKey& author) -> const HeldLog* {
    auto it = theirs.find(author);
    return it == theirs.end() ? nullptr : it->second;
  };

  AtomicFile file(out);
  if (auto st = file.open(); !st) return st.error();
  ExportReport report;
  std::uint64_t records = 0;
  if (auto st = file.write(bundle_header()); !st) return st.error();
  for (const PublicKey& author : selected) {
    auto head = heads.find(author);
    if (head == heads.end()) continue;
    EntrySpan span{1, head->second.seq, false};
    if (since) {
      auto s = missing_span(store, author, head->second, proof_authors.count(author) > 0,
                            their_log(author));
      if (!s) return s.error();
      span = *s;
    }
    if (span.fork) ++report.forks;
    for (std::uint64_t from = span.first; from <= span.last;) {
      auto page = store.log_range(author, from, std::min<std::uint64_t>(export_page,
                                                                        span.last - from + 1));
      if (!page) return page.error();
      for (const SignedEntry& e : *page) {
        if (auto st = file.write(bundle_record(BundleRecordType::entry, e.bytes())); !st)
          return st.error();
        ++records;
        ++report.entries;
      }
      if (page->empty()) break;
      from = page->back().seq() + 1;
    }
  }
  for (const ForkProof& proof : *proofs) {
    if (!authors.empty() &&
        std::find(authors.begin(), authors.end(), proof.author()) == authors.end())
      continue;
    if (const HeldLog* log = their_log(proof.author()); since && log && log->fork_proof) continue;
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
  auto data = read_whole_file(file, std::numeric_limits<std::uint64_t>::max());
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
