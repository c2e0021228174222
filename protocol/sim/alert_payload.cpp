#include "protocol/sim/alert_payload.hpp"

#include "protocol/alert.hpp"

namespace ifex::sim {

Bytes alert_payload(const std::string& title, std::size_t size) {
  Alert a;
  a.original = {"en", title, "Simulated.", ""};
  a.country = "FR";
  a.categories = {"press-freedom"};
  a.event_date = "2026-01-01";
  a.sources = {"https://example.org/sim"};
  const std::size_t base = encode_alert(a).size();
  // The body is the last field whose length is free; its length prefix does not change size.
  a.original.body.assign(size > base ? size - base : 0, '.');
  return encode_alert(a);
}

}  // namespace ifex::sim
