// Entries and messages hostile_peer sends: valid entries of its own log (signed with the identity
// it proves), and clocks that claim what the scenario needs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "keys/identity.hpp"
#include "protocol/entry.hpp"
#include "protocol/gossip_messages.hpp"
#include "protocol/log_rules.hpp"

namespace ifex::hostile {

// A valid alert payload with the given title and a body of `body_bytes` bytes.
Bytes alert_payload(const std::string& title, std::size_t body_bytes);

// Signs our log one entry at a time, chaining each to the last (seq 1, 2, 3, ...).
class LogWriter {
 public:
  LogWriter(const Identity& me, std::string label) : me_(me), label_(std::move(label)) {}
  // The next entry of the log, claiming `created_ms` as its creation time.
  SignedEntry next(std::size_t body_bytes, std::uint64_t created_ms);
  // The next entry, created now.
  SignedEntry next(std::size_t body_bytes);
  const LogHead& head() const { return head_; }

 private:
  const Identity& me_;
  std::string label_;
  LogHead head_;
};

// `count` valid entries of `me`'s log from seq 1, each with a body of `body_bytes`.
std::vector<SignedEntry> make_log(const Identity& me, std::size_t count, std::size_t body_bytes,
                                  const std::string& label);

// Prints "sent-id HEX" (the id as `ifexnode list` shows it), so tests can look for the entry.
void print_sent(ByteView entry_bytes);

// A clock that holds `author` up to `seq` (0: accepts it, holds nothing of it).
ClockMsg clock_claiming(const PublicKey& author, std::uint64_t seq);

}  // namespace ifex::hostile
