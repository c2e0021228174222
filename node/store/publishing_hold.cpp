// The publishing hold (docs/operations.md, "Backup and restore"): while it is set, this node
// signs nothing new in its own log. A store that was copied or restored may hold fewer of the
// node's own entries than the federation does; signing on its head would then give the next
// alert a seq the federation already holds, with another id: a fork of the node's own log,
// which freezes it everywhere. The running node lifts the hold once a peer's clock has shown
// how far the federation holds this log and the entries it lacked came back.
#include <fcntl.h>
#include <sys/stat.h>

#include <chrono>

#include "node/store/store.hpp"
#include "node/store/store_layout.hpp"

namespace ifex {

using lmdb::Txn;

namespace {

constexpr const char* hold_key = "publishing_hold";
constexpr const char* file_id_key = "store_file_id";

std::uint64_t wall_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// Value: since_ms (decimal) '\n' reason '\n' detail.
std::string encode_hold(const PublishingHold& h) {
  return std::to_string(h.since_ms) + "\n" + h.reason + "\n" + h.detail;
}

std::optional<PublishingHold> decode_hold(std::string_view v) {
  auto first = v.find('\n');
  if (first == std::string_view::npos) return std::nullopt;
  auto second = v.find('\n', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  PublishingHold h;
  try {
    h.since_ms = std::stoull(std::string(v.substr(0, first)));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  h.reason = std::string(v.substr(first + 1, second - first - 1));
  h.detail = std::string(v.substr(second + 1));
  return h;
}

std::optional<PublishingHold> read_hold(const Txn& txn, const Store::Dbis& d) {
  auto v = txn.get(d.meta, as_bytes(hold_key));
  if (!v) return std::nullopt;
  // A damaged record still holds: failing open is the safe side here.
  if (auto h = decode_hold(as_chars(*v))) return h;
  return PublishingHold{"damaged_record", 0, "the stored publishing hold is unreadable"};
}

}  // namespace

// data.mdb's inode and birth time change when the file is copied (`cp`, `mdb_copy`, a restore
// from an archive), not when the node restarts or the directory is renamed in place. The inode
// alone is not enough: `rm -r DATA; cp -a BACKUP DATA` often gets the freed inode number back,
// and only the birth time then tells the copy from the original. The device number is left
// out: some file systems (btrfs subvolumes) give it anew at each mount. "INODE:SECONDS.NANOS",
// or "INODE" where the file system keeps no birth time.
namespace {
std::optional<std::string> store_file_id(const std::filesystem::path& dir) {
  struct statx sx {};
  const std::string path = (dir / "data.mdb").string();
  if (::statx(AT_FDCWD, path.c_str(), 0, STATX_INO | STATX_BTIME, &sx) != 0) return std::nullopt;
  std::string id = std::to_string(static_cast<std::uint64_t>(sx.stx_ino));
  if (sx.stx_mask & STATX_BTIME)
    id += ":" + std::to_string(sx.stx_btime.tv_sec) + "." + std::to_string(sx.stx_btime.tv_nsec);
  return id;
}

// A record made before birth times were noted holds the inode only; it is compared as such.
bool same_store_file(std::string_view noted, std::string_view now) {
  if (noted == now) return true;
  if (noted.find(':') != std::string_view::npos) return false;
  return now.substr(0, now.find(':')) == noted;
}
}  // namespace

void note_store_file(Txn& txn, const Store::Dbis& d, const std::filesystem::path& dir) {
  const auto id = store_file_id(dir);
  if (!id) return;
  const std::string& now = *id;
  auto before = txn.get(d.meta, as_bytes(file_id_key));
  if (before && as_chars(*before) == now) return;
  const bool same = before && same_store_file(as_chars(*before), now);
  txn.put(d.meta, as_bytes(file_id_key), as_bytes(now));
  if (same) return;  // an inode-only record, now with the birth time
  // No record: a store made before this check existed, or one just created. Nothing to hold.
  if (!before || txn.get(d.meta, as_bytes(hold_key))) return;
  PublishingHold hold{"store_copied", wall_ms(),
                      "this node's store is a copy (restored from a backup, or moved to "
                      "another disk): the federation may hold newer entries of its own log"};
  txn.put(d.meta, as_bytes(hold_key), as_bytes(encode_hold(hold)));
}

Status check_publishing_open(const Txn& txn, const Store::Dbis& d) {
  auto hold = read_hold(txn, d);
  if (!hold) return Status::success();
  return make_error("publishing_held", publishing_held_message(*hold));
}

std::string publishing_held_message(const PublishingHold& hold) {
  return "publishing is held: " + hold.detail +
         ". A new alert now could take a seq the federation already holds and fork this "
         "node's own log, which would freeze it everywhere. Run the node (`ifexnode run`) "
         "with its peers: publishing resumes by itself once a peer has shown how far it holds "
         "this log and the missing entries are back. Only if no other node can hold newer "
         "entries of this node: `ifexnode publishing release --accept-fork-risk` "
         "(docs/operations.md, \"Backup and restore\")";
}

Result<std::optional<PublishingHold>> Store::publishing_hold() const {
  return guarded<std::optional<PublishingHold>>(
      *this, [&]() -> Result<std::optional<PublishingHold>> {
        Txn txn(*env_, Txn::read_only);
        return read_hold(txn, *dbis_);
      });
}

Result<bool> Store::store_file_changed() const {
  return guarded<bool>(*this, [&]() -> Result<bool> {
    const auto now = store_file_id(options_.dir);
    Txn txn(*env_, Txn::read_only);
    auto noted = txn.get(dbis_->meta, as_bytes(file_id_key));
    // As note_store_file: no record yet is not a copy.
    return now && noted && !same_store_file(as_chars(*noted), *now);
  });
}

Result<bool> Store::hold_publishing(const PublishingHold& hold) {
  return guarded<bool>(*this, [&]() -> Result<bool> {
    Txn txn(*env_, Txn::read_write);
    if (read_hold(txn, *dbis_)) return false;  // the first reason stays
    txn.put(dbis_->meta, as_bytes(hold_key), as_bytes(encode_hold(hold)));
    txn.commit();
    return true;
  });
}

Result<bool> Store::release_publishing() {
  return guarded<bool>(*this, [&]() -> Result<bool> {
    Txn txn(*env_, Txn::read_write);
    bool removed = txn.del(dbis_->meta, as_bytes(hold_key));
    txn.commit();
    return removed;
  });
}

}  // namespace ifex
