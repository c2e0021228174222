// The fixed world the fuzz targets and the seed generator share: identities, the network key,
// ephemeral seeds, a few alerts and the signed log made of them. Both sides derive everything
// from the same constants, so a seed that was valid when written is valid when replayed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "keys/bytes.hpp"
#include "keys/identity.hpp"
#include "protocol/alert.hpp"
#include "protocol/entry.hpp"
#include "protocol/log_rules.hpp"
#include "protocol/network_key.hpp"
#include "tests/protocol/protocol_fixtures.hpp"

namespace ifex::fuzz {

// Seed bytes of test::seeded_identity for each role.
inline constexpr std::uint8_t author_seed = 10;   // the node whose log the stores hold
inline constexpr std::uint8_t forker_seed = 30;   // an author caught signing two entries at seq 1
inline constexpr std::uint8_t client_seed = 60;   // handshake: the dialing node
inline constexpr std::uint8_t server_seed = 90;   // handshake: the answering node
inline constexpr std::uint8_t stranger_seed = 120;  // signs validly but is on no roster

inline const Identity& author() {
  static const Identity id = test::seeded_identity(author_seed);
  return id;
}
inline const Identity& forker() {
  static const Identity id = test::seeded_identity(forker_seed);
  return id;
}
inline const Identity& client_identity() {
  static const Identity id = test::seeded_identity(client_seed);
  return id;
}
inline const Identity& server_identity() {
  static const Identity id = test::seeded_identity(server_seed);
  return id;
}
inline const Identity& stranger() {
  static const Identity id = test::seeded_identity(stranger_seed);
  return id;
}

inline NetworkKey network_key() {
  NetworkKey n;
  n.bytes.fill(0x42);
  return n;
}

inline Bytes ephemeral_seed(std::uint8_t fill) {
  return Bytes(32, fill);
}
inline constexpr std::uint8_t client_ephemeral_fill = 0x11;
inline constexpr std::uint8_t server_ephemeral_fill = 0x22;

// The HTTP target's admin token (at least 16 characters, as AdminTokenCheck requires).
inline constexpr std::string_view admin_token = "fuzz-admin-token-0123456789abcdef";

// Alerts in several languages and shapes, all valid with Vocabulary::known_only.
inline std::vector<Alert> fixture_alerts() {
  std::vector<Alert> out;
  out.push_back(test::sample_alert());
  Alert ar;
  ar.original = {"ar", "اعتقال صحفي", "ملخص قصير.", "نص التنبيه."};
  ar.country = "EG";
  ar.categories = {"detention"};
  ar.event_date = "2023-11-20";
  out.push_back(ar);
  Alert es;
  es.original = {"es", "Cierre de internet", "Resumen.", "Cuerpo del texto."};
  es.translations = {{"en", "Internet shutdown", "Summary.", "Body."}};
  es.country = "VE";
  es.categories = {"internet-censorship"};
  es.sources = {"https://example.org/es", "http://example.net/x?y=1"};
  es.tags = {"keepiton"};
  es.legacy_id = "ifex-2019-00001";
  out.push_back(es);
  return out;
}

inline constexpr std::uint64_t fixture_created_ms = 1'700'000'000'000;

// The author's log: one alert entry per fixture alert, in order, with fixed creation times.
inline std::vector<SignedEntry> fixture_log() {
  std::vector<SignedEntry> log;
  Hash prev;
  std::uint64_t seq = 1;
  for (const Alert& alert : fixture_alerts()) {
    EntryFields f{author().public_key(), seq, prev, fixture_created_ms + seq, EntryKind::alert,
                  encode_alert(alert)};
    log.push_back(sign_entry(author(), std::move(f)));
    prev = log.back().id();
    ++seq;
  }
  return log;
}

// Two different entries the forker signed at seq 1, as a fork proof.
inline ForkProof fixture_fork_proof() {
  auto alerts = fixture_alerts();
  auto entry = [&](const Alert& a) {
    return sign_entry(forker(), EntryFields{forker().public_key(), 1, Hash{}, fixture_created_ms,
                                            EntryKind::alert, encode_alert(a)});
  };
  auto proof = make_fork_proof(entry(alerts[0]), entry(alerts[1]));
  return std::move(*proof);
}

}  // namespace ifex::fuzz
