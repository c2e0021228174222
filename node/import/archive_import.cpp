#include "node/import/archive_import.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <unordered_map>

#include "node/import/legacy_record.hpp"

namespace ifex {

namespace {

constexpr std::size_t read_chunk = std::size_t{1} << 20;
constexpr std::size_t log_page = 1024;

using File = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

Result<File> open_file(const std::filesystem::path& path) {
  File f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return make_error("io", "cannot open " + path.string() + ": " + std::strerror(errno));
  return f;
}

Error read_error(const std::filesystem::path& path) {
  return make_error("io", "cannot read " + path.string() + ": " + std::strerror(errno));
}

// Lines of a file, split on '\n', each at most max_bytes: a longer one is flagged and its bytes
// skipped, so a runaway line costs no memory.
class LineReader {
 public:
  LineReader(std::FILE* file, std::size_t max_bytes)
      : file_(file), max_bytes_(max_bytes), buffer_(read_chunk) {}

  enum class Next { line, end, error };

  Next next(std::string& line, bool& too_long) {
    line.clear();
    too_long = false;
    bool any = false;
    for (;;) {
      if (pos_ == end_) {
        end_ = std::fread(buffer_.data(), 1, buffer_.size(), file_);
        pos_ = 0;
        if (end_ == 0) {
          if (std::ferror(file_)) return Next::error;
          return any ? Next::line : Next::end;
        }
      }
      any = true;
      const char* start = buffer_.data() + pos_;
      const auto* newline = static_cast<const char*>(std::memchr(start, '\n', end_ - pos_));
      const std::size_t n = newline ? static_cast<std::size_t>(newline - start) : end_ - pos_;
      if (!too_long && line.size() + n > max_bytes_) {
        too_long = true;
        line.clear();
      }
      if (!too_long) line.append(start, n);
      pos_ += n;
      if (newline) {
        ++pos_;
        return Next::line;
      }
    }
  }

 private:
  std::FILE* file_;
  std::size_t max_bytes_;
  std::vector<char> buffer_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
};

// Lines in the file (a last line without '\n' counts), for the progress total.
Result<std::uint64_t> count_lines(const std::filesystem::path& path) {
  auto file = open_file(path);
  if (!file) return file.error();
  std::vector<char> buffer(read_chunk);
  std::uint64_t lines = 0;
  char last = '\n';
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), file->get())) {
    lines += static_cast<std::uint64_t>(std::count(buffer.data(), buffer.data() + n, '\n'));
    last = buffer[n - 1];
  }
  if (std::ferror(file->get())) return read_error(path);
  return lines + (last == '\n' ? 0 : 1);
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

std::uint64_t system_ms() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

// The state of one import: what is queued for the next batch and what was seen.
class Importer {
 public:
  Importer(Store& store, const Identity& identity, const ArchiveImportOptions& options,
           std::unordered_set<std::string> existing)
      : store_(store), identity_(identity), options_(options), existing_(std::move(existing)) {
    payloads_.reserve(options_.batch_entries);
    times_.reserve(options_.batch_entries);
  }

  // Handles line `number`; `too_long` when the reader skipped its bytes.
  Status handle(std::uint64_t number, std::string_view line, bool too_long) {
    ++report_.lines;
    ++unreported_;
    if (number == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (too_long) {
      reject(number,
             make_error("too_long", "the line is longer than " +
                                        std::to_string(options_.max_line_bytes) + " bytes"));
    } else if (!is_blank(line)) {
      take(number, line);
    }
    if (payloads_.size() >= options_.batch_entries) return flush();
    if (payloads_.empty() && unreported_ >= options_.batch_entries) report_progress();
    return Status::success();
  }

  // Commits what is queued and reports the lines handled so far.
  Status flush() {
    if (!payloads_.empty()) {
      auto stored = store_.append_own_batch(identity_, EntryKind::alert, payloads_, times_);
      if (!stored)
        return make_error(stored.error().code,
                          "stopped at line " + std::to_string(batch_first_line_) + " (" +
                              std::to_string(report_.imported) +
                              " alerts before it are imported and durable; importing the file "
                              "again resumes): " +
                              stored.error().message);
      report_.imported += payloads_.size();
      payloads_.clear();
      times_.clear();
    }
    report_progress();
    return Status::success();
  }

  ArchiveImportReport& report() { return report_; }

 private:
  void take(std::uint64_t number, std::string_view line) {
    auto alert = parse_legacy_record(line, options_.alert_limits);
    if (!alert) return reject(number, alert.error());
    auto [first, inserted] = first_line_.try_emplace(alert->legacy_id, number);
    if (!inserted)
      return reject(number, make_error("repeated_legacy_id", "legacy_id: '" + alert->legacy_id +
                                                                 "' repeats line " +
                                                                 std::to_string(first->second)));
    if (existing_.count(alert->legacy_id)) {
      ++report_.skipped_duplicates;
      return;
    }
    Bytes payload = encode_alert(std::move(*alert));
    const std::size_t entry_bytes = entry_overhead + payload.size();
    if (entry_bytes > store_.options().limits.max_entry_bytes) {
      first_line_.erase(first);
      return reject(number, make_error("too_large",
                                       "the signed alert would be " + std::to_string(entry_bytes) +
                                           " bytes; the limit is " +
                                           std::to_string(store_.options().limits.max_entry_bytes) +
                                           " ([limits] max_entry_bytes)"));
    }
    if (payloads_.empty()) batch_first_line_ = number;
    payloads_.push_back(std::move(payload));
    times_.push_back(options_.clock ? options_.clock() : system_ms());
  }

  void reject(std::uint64_t number, const Error& error) {
    ++report_.rejected_count;
    if (report_.rejected.size() < options_.max_listed_rejections)
      report_.rejected.push_back({number, error.code, error.message});
  }

  void report_progress() {
    if (unreported_ > 0 && options_.on_progress) options_.on_progress(unreported_);
    unreported_ = 0;
  }

  Store& store_;
  const Identity& identity_;
  const ArchiveImportOptions& options_;
  std::unordered_set<std::string> existing_;
  std::unordered_map<std::string, std::uint64_t> first_line_;  // legacy_id -> line first seen
  std::vector<Bytes> payloads_;
  std::vector<std::uint64_t> times_;
  std::uint64_t batch_first_line_ = 0;
  std::uint64_t unreported_ = 0;
  ArchiveImportReport report_;
};

}  // namespace

Result<std::unordered_set<std::string>> legacy_ids_in_log(const Store& store,
                                                          const PublicKey& author) {
  std::unordered_set<std::string> ids;
  for (std::uint64_t from = 1;;) {
    auto page = store.log_range(author, from, log_page);
    if (!page) return page.error();
    for (const SignedEntry& e : *page) {
      if (e.kind() != EntryKind::alert) continue;
      auto alert = decode_alert(e.payload());
      if (alert && !alert->legacy_id.empty()) ids.insert(std::move(alert->legacy_id));
    }
    if (page->size() < log_page) break;
    from = page->back().seq() + 1;
  }
  return ids;
}

Result<ArchiveImportReport> import_archive(Store& store, const Identity& identity,
                                           const std::filesystem::path& file,
                                           const ArchiveImportOptions& options) {
  if (options.batch_entries == 0)
    return make_error("invalid_argument", "the import batch size must be at least 1");
  auto total = count_lines(file);
  if (!total) return total.error();
  auto input = open_file(file);
  if (!input) return input.error();
  auto existing = legacy_ids_in_log(store, identity.public_key());
  if (!existing) return existing.error();
  if (options.on_start) options.on_start(*total);

  Importer importer(store, identity, options, std::move(*existing));
  LineReader reader(input->get(), options.max_line_bytes);
  std::string line;
  bool too_long = false;
  std::uint64_t number = 0;
  for (;;) {
    LineReader::Next next = reader.next(line, too_long);
    if (next == LineReader::Next::error) {
      if (auto st = importer.flush(); !st) return st.error();
      return read_error(file);
    }
    if (next == LineReader::Next::end) break;
    if (auto st = importer.handle(++number, line, too_long); !st) return st.error();
  }
  if (auto st = importer.flush(); !st) return st.error();
  return std::move(importer.report());
}

}  // namespace ifex
