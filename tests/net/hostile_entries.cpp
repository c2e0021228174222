#include "tests/net/hostile_entries.hpp"

#include <cstdio>

#include "protocol/alert.hpp"
#include "tests/net/hostile_link.hpp"

namespace ifex::hostile {

Bytes alert_payload(const std::string& title, std::size_t body_bytes) {
  Alert a;
  a.original = {"en", title, "Sent by the hostile test peer.", std::string(body_bytes, 'x')};
  a.country = "TN";
  a.categories = {"press-freedom"};
  a.event_date = "2026-01-15";
  return encode_alert(a);
}

SignedEntry LogWriter::next(std::size_t body_bytes, std::uint64_t created_ms) {
  EntryFields f{me_.public_key(),
                head_.seq + 1,
                head_.id,
                created_ms,
                EntryKind::alert,
                alert_payload(label_ + " #" + std::to_string(head_.seq + 1), body_bytes)};
  SignedEntry e = sign_entry(me_, std::move(f));
  head_ = head_after(e);
  return e;
}

SignedEntry LogWriter::next(std::size_t body_bytes) { return next(body_bytes, wall_ms()); }

std::vector<SignedEntry> make_log(const Identity& me, std::size_t count, std::size_t body_bytes,
                                  const std::string& label) {
  LogWriter writer(me, label);
  std::vector<SignedEntry> log;
  for (std::size_t i = 0; i < count; ++i) log.push_back(writer.next(body_bytes));
  return log;
}

void print_sent(ByteView entry_bytes) {
  std::printf("sent-id %s\n", entry_id(entry_bytes).hex().c_str());
  std::fflush(stdout);
}

ClockMsg clock_claiming(const PublicKey& author, std::uint64_t seq) {
  ClockMsg clock;
  clock.heads.push_back({author, seq});
  return clock;
}

}  // namespace ifex::hostile
