// The legacy archive importer's record parser (node/import/legacy_record.hpp), fed a JSONL file:
// each line is parsed as `ifexnode import-archive` does. An accepted record must be signable as
// is: it validates with the strict vocabulary and survives the alert encoding unchanged.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "node/import/legacy_record.hpp"

namespace ifex {
namespace {

void check_line(std::string_view line) {
  auto alert = parse_legacy_record(line);
  if (!alert) {
    FUZZ_CHECK(!alert.error().code.empty() && !alert.error().message.empty());
    return;
  }
  FUZZ_CHECK(validate_alert(*alert, Vocabulary::known_only));
  FUZZ_CHECK(!alert->legacy_id.empty());
  FUZZ_CHECK(std::count(alert->tags.begin(), alert->tags.end(), legacy_archive_tag) == 1);
  auto decoded = decode_alert(encode_alert(*alert));
  FUZZ_CHECK(decoded && *decoded == *alert);
}

}  // namespace
}  // namespace ifex

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  while (!text.empty()) {
    auto lf = text.find('\n');
    ifex::check_line(text.substr(0, lf));
    if (lf == std::string_view::npos) break;
    text.remove_prefix(lf + 1);
  }
  return 0;
}
