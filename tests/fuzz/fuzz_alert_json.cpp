// The JSON body of POST /api/alerts: parsed as the handler does (parse_strict_json, depth 16,
// node/http/api_alerts.cpp), turned into an Alert by alert_from_json (node/codec/entry_json.hpp) and
// validated. An alert that passes must encode, decode and print back to the same alert.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "node/codec/entry_json.hpp"
#include "node/codec/strict_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ifex;
  auto body = parse_strict_json(std::string_view(reinterpret_cast<const char*>(data), size), 16);
  if (!body) {
    FUZZ_CHECK(body.error().code == "bad_request");
    return 0;
  }
  auto alert = alert_from_json(*body);
  if (!alert) return 0;
  if (!validate_alert(*alert, Vocabulary::known_only)) return 0;

  Alert canonical = *alert;
  canonicalize(canonical);
  auto decoded = decode_alert(encode_alert(*alert));
  FUZZ_CHECK(decoded && *decoded == canonical);
  auto printed = alert_from_json(alert_to_json(canonical));
  FUZZ_CHECK(printed && *printed == canonical);
  return 0;
}
