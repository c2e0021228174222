// Store::verify: a full re-check of what the store holds, as `ifexnode verify` runs it.
#include <cstring>

#include "node/store/lmdb.hpp"
#include "node/store/store.hpp"
#include "node/store/store_layout.hpp"

namespace ifex {

using lmdb::Cursor;
using lmdb::Txn;

namespace {

std::string where(const PublicKey& author, std::uint64_t seq) {
  return "author " + author.hex().substr(0, 16) + "... seq " + std::to_string(seq);
}

// Checks one author's log as it is met in key order; reports at most one fault per entry.
class ChainChecker {
 public:
  explicit ChainChecker(std::vector<std::string>& faults) : faults_(faults) {}

  void start(const PublicKey& author) {
    author_ = author;
    head_ = LogHead{};
    started_ = true;
  }
  bool started() const { return started_; }
  const PublicKey& author() const { return author_; }
  const LogHead& head() const { return head_; }

  void check(const SignedEntry& e, std::uint64_t key_seq) {
    if (e.author() != author_ || e.seq() != key_seq)
      faults_.push_back(where(author_, key_seq) + ": the entry stored under this key is another " +
                        "entry (" + where(e.author(), e.seq()) + ")");
    else if (e.seq() != head_.seq + 1)
      faults_.push_back(where(author_, e.seq()) + ": gap in the log after seq " +
                        std::to_string(head_.seq));
    else if (e.prev() != head_.id)
      faults_.push_back(where(author_, e.seq()) + ": prev does not match the id of seq " +
                        std::to_string(head_.seq));
    head_ = head_after(e);
  }

 private:
  std::vector<std::string>& faults_;
  PublicKey author_;
  LogHead head_;
  bool started_ = false;
};

}  // namespace

Result<VerifyReport> Store::verify(const std::function<void(std::uint64_t)>& progress) const {
  return guarded<VerifyReport>(*this, [&]() -> Result<VerifyReport> {
    const Dbis& d = *dbis_;
    Txn txn(*env_, Txn::read_only);
    VerifyReport report;
    auto& faults = report.faults;
    ChainChecker chain(faults);

    auto check_head = [&] {
      if (!chain.started()) return;
      auto stored = txn.get(d.heads, chain.author().view());
      if (!stored || parse_head(*stored) != chain.head())
        faults.push_back(where(chain.author(), chain.head().seq) +
                         ": the recorded head does not match the last stored entry");
    };

    Cursor c(txn, d.entries);
    MDB_val k, v;
    for (bool ok = c.get(MDB_FIRST, &k, &v); ok; ok = c.get(MDB_NEXT, &k, &v)) {
      ByteView key = lmdb::view(k);
      if (key.size() != 40) {
        faults.push_back("an entry key has the wrong length (" + std::to_string(key.size()) + ")");
        continue;
      }
      StoredEntryRef ref = parse_ref(key);
      if (!chain.started() || ref.author != chain.author()) {
        check_head();
        chain.start(ref.author);
        ++report.authors_checked;
      }
      ++report.entries_checked;
      if (progress && report.entries_checked % 10000 == 0) progress(report.entries_checked);

      auto e = decode_entry(lmdb::view(v), options_.limits);  // verifies the signature again
      if (!e) {
        faults.push_back(where(ref.author, ref.seq) + ": " + e.error().message);
        continue;
      }
      chain.check(*e, ref.seq);
      auto by_id = txn.get(d.by_id, e->id().view());
      if (!by_id || by_id->size() != 40 || std::memcmp(by_id->data(), key.data(), 40) != 0)
        faults.push_back(where(ref.author, ref.seq) + ": the id index does not point here");
      if (!txn.get(d.by_time, span_of(time_key(e->created_ms(), e->id()))))
        faults.push_back(where(ref.author, ref.seq) + ": missing from the time index");
    }
    check_head();

    MDB_stat by_id_stat, by_time_stat, heads_stat;
    lmdb::check(mdb_stat(txn.get(), d.by_id, &by_id_stat), "mdb_stat");
    lmdb::check(mdb_stat(txn.get(), d.by_time, &by_time_stat), "mdb_stat");
    lmdb::check(mdb_stat(txn.get(), d.heads, &heads_stat), "mdb_stat");
    if (by_id_stat.ms_entries != report.entries_checked)
      faults.push_back("the id index holds " + std::to_string(by_id_stat.ms_entries) +
                       " records for " + std::to_string(report.entries_checked) + " entries");
    // A stray time record would make `list` fail on an entry that is not there.
    if (by_time_stat.ms_entries != report.entries_checked)
      faults.push_back("the time index holds " + std::to_string(by_time_stat.ms_entries) +
                       " records for " + std::to_string(report.entries_checked) + " entries");
    if (heads_stat.ms_entries != report.authors_checked)
      faults.push_back("heads are recorded for " + std::to_string(heads_stat.ms_entries) +
                       " authors but " + std::to_string(report.authors_checked) +
                       " have entries");

    Cursor forks(txn, d.forks);
    for (bool ok = forks.get(MDB_FIRST, &k, &v); ok; ok = forks.get(MDB_NEXT, &k, &v)) {
      auto proof = decode_fork_proof(lmdb::view(v), options_.limits);
      if (!proof)
        faults.push_back("a fork proof is invalid: " + proof.error().message);
      else if (proof->author().view().size() != k.mv_size ||
               std::memcmp(proof->author().data(), k.mv_data, k.mv_size) != 0)
        faults.push_back("a fork proof is filed under another author");
    }
    if (progress) progress(report.entries_checked);
    return report;
  });
}

}  // namespace ifex
