// Builders shared by the protocol tests: deterministic identities, a valid alert, signed entries
// and whole logs. Everything is derived from seeds, so a failing case replays exactly.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "keys/bytes.hpp"
#include "keys/identity.hpp"
#include "protocol/alert.hpp"
#include "protocol/entry.hpp"

namespace ifex::test {

// The identity whose seed is the 32 bytes first, first + 1, ..., first + 31 (mod 256).
inline Identity seeded_identity(std::uint8_t first) {
  Bytes seed(Identity::seed_size);
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(first + i);
  return Identity::from_seed(seed);
}

// A small alert that passes validation with Vocabulary::known_only.
inline Alert sample_alert(const std::string& title = "Journalist detained") {
  Alert a;
  a.original = {"en", title, "A one-line summary.", "The body.\nSecond line."};
  a.translations = {{"fr", "Journaliste détenu", "Résumé.", "Corps."}};
  a.country = "FR";
  a.categories = {"press-freedom", "detention"};
  a.event_date = "2024-03-01";
  a.sources = {"https://example.org/a"};
  a.tags = {"campaign-x"};
  return a;
}

inline SignedEntry make_entry(const Identity& id, std::uint64_t seq, const Hash& prev,
                              Bytes payload, EntryKind kind = EntryKind::alert) {
  EntryFields f{id.public_key(), seq, prev, 1'700'000'000'000 + seq, kind, std::move(payload)};
  return sign_entry(id, std::move(f));
}

// A chain of `length` entries with small distinct payloads (cheap to sign and verify).
inline std::vector<SignedEntry> make_log(const Identity& id, std::size_t length,
                                         const std::string& label = "log") {
  std::vector<SignedEntry> log;
  Hash prev;
  for (std::uint64_t seq = 1; seq <= length; ++seq) {
    std::string text = label + " #" + std::to_string(seq);
    log.push_back(make_entry(id, seq, prev, Bytes(text.begin(), text.end())));
    prev = log.back().id();
  }
  return log;
}

// Bytes from a hex literal; bad hex is a mistake in the test itself.
inline Bytes hex_bytes(std::string_view hex) {
  auto raw = from_hex(hex);
  if (!raw) throw std::invalid_argument("bad hex literal in a test");
  return *raw;
}

}  // namespace ifex::test
