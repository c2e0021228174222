#include "node/bundle/clock_io.hpp"

#include <map>

#include "node/bundle/bundle_file.hpp"

namespace ifex {

Result<std::vector<HeldLog>> held_logs(const Store& store) {
  auto clock = store.clock();
  if (!clock) return clock.error();
  auto proofs = store.fork_proofs();
  if (!proofs) return proofs.error();
  std::map<PublicKey, HeldLog> logs;
  for (const auto& [author, head] : *clock) logs[author] = HeldLog{author, head, false};
  // A proof may be held without any of its author's entries (it came in a bundle alone).
  for (const ForkProof& proof : *proofs) {
    HeldLog& log = logs[proof.author()];
    log.author = proof.author();
    log.fork_proof = true;
  }
  std::vector<HeldLog> out;
  out.reserve(logs.size());
  for (auto& [author, log] : logs) out.push_back(log);
  return out;
}

Result<ClockReport> write_clock_file(const Store& store, const std::filesystem::path& out,
                                     bool overwrite) {
  if (!overwrite && std::filesystem::exists(out))
    return make_error("exists", out.string() + " exists; choose another name or remove it");
  auto logs = held_logs(store);
  if (!logs) return logs.error();
  if (logs->size() > clock_file_max_authors)
    return make_error("too_large", "this node holds " + std::to_string(logs->size()) +
                                       " authors' logs, over a clock file's limit of " +
                                       std::to_string(clock_file_max_authors));
  ClockReport report;
  report.authors = logs->size();
  for (const HeldLog& log : *logs) report.fork_proofs += log.fork_proof ? 1 : 0;
  AtomicFile file(out);
  if (auto st = file.open(); !st) return st.error();
  if (auto st = file.write(encode_clock_file(std::move(*logs))); !st) return st.error();
  report.bytes = file.written();
  if (auto st = file.commit(); !st) return st.error();
  return report;
}

Result<std::vector<HeldLog>> read_clock_file(const std::filesystem::path& file) {
  auto data = read_whole_file(file, clock_file_size(clock_file_max_authors));
  if (!data) return data.error();
  auto logs = decode_clock_file(*data);
  if (!logs)
    return make_error(logs.error().code, file.string() + ": " + logs.error().message);
  return logs;
}

}  // namespace ifex
