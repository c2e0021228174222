// GET /api/status: the core's status snapshot, the node's identity and its members.
//
// A hub answers public reads by default, and its members may live where connecting to an NGO
// is dangerous: without the admin token the answer is cut down to an allowlist that holds no
// address, port, URL, pid or path (a new field stays private until it is added here).
#include <array>
#include <boost/json/parse.hpp>
#include <string_view>

#include "keys/key_text.hpp"
#include "node/base/wall_clock.hpp"
#include "node/codec/entry_json.hpp"
#include "node/http/api_handlers.hpp"
#include "node/store/federation_load.hpp"
#include "node/http/api_support.hpp"

namespace ifex::api {

namespace json = boost::json;

namespace {

constexpr std::array<std::string_view, 14> public_fields{
    "node",       "uptime_s",    "entries",         "indexed",   "authors",
    "members",    "peers",       "counters",        "started_at", "updated_at",
    "public_key", "connections", "refused_authors", "publishing"};

// Not `address`, `urls` or `last_error` (which names the URL dialed).
constexpr std::array<std::string_view, 13> public_peer_fields{
    "key",        "public_key", "fingerprint", "name",  "state",   "connected", "since",
    "down_since", "last_seen",  "direction",   "eager", "syncing", "configured"};

template <std::size_t N>
json::object keep_only(const json::object& in, const std::array<std::string_view, N>& allowed) {
  json::object out;
  for (std::string_view name : allowed)
    if (const json::value* v = in.if_contains(name)) out[name] = *v;
  return out;
}

json::object public_view(const json::object& full) {
  json::object out = keep_only(full, public_fields);
  if (json::value* peers = out.if_contains("peers"); peers && peers->is_array()) {
    json::array cut;
    for (const json::value& p : peers->as_array())
      if (p.is_object()) cut.push_back(keep_only(p.as_object(), public_peer_fields));
    *peers = std::move(cut);
  }
  return out;
}

}  // namespace

HttpResponse node_status(ApiServices& s, std::uint64_t started_ms, bool admin) {
  json::object out;
  boost::system::error_code ec;
  if (auto snapshot = s.node_status ? s.node_status() : std::string{}; !snapshot.empty()) {
    auto parsed = json::parse(snapshot, ec);
    if (!ec && parsed.is_object()) out = std::move(parsed.as_object());
  }
  const PublicKey& own = s.identity.public_key();
  out["node"] = json::object{{"name", s.config.name},
                             {"role", std::string(role_name(s.config.role))},
                             {"key", public_key_to_text(own)},
                             {"fingerprint", fingerprint(own)},
                             {"version", IFEXNODE_VERSION}};
  out["uptime_s"] = (wall_clock_ms() - started_ms) / 1000;
  if (auto n = s.store.entry_count()) out["entries"] = *n;
  // Entries the indexer has gone through, whatever their kind: equal to `entries` once search
  // and listings are up to date (roster entries and reserved kinds are gone through, not listed).
  if (auto clock = s.catalog.clock()) {
    std::uint64_t through = 0;
    for (const auto& [author, seq] : *clock) through += seq;
    out["indexed"] = through;
  }
  auto heads = s.store.clock();
  auto roster = effective_roster(s.store);
  if (!heads || !roster) return error_response(!heads ? heads.error() : roster.error());
  out["authors"] = heads->size();
  json::array members;
  auto member = [&](const PublicKey& key, const std::string& name) {
    std::uint64_t seq = 0;
    for (const auto& [author, head] : *heads)
      if (author == key) seq = head.seq;
    auto frozen = s.store.is_frozen(key);
    members.push_back(json::object{{"key", public_key_to_text(key)},
                                   {"fingerprint", fingerprint(key)},
                                   {"name", name},
                                   {"head_seq", seq},
                                   {"frozen", frozen && *frozen}});
  };
  member(own, s.config.name);
  for (const auto& m : *roster)
    if (m.key != own) member(m.key, m.name);
  out["members"] = std::move(members);
  auto res = json_response(200, admin ? out : public_view(out));
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

}  // namespace ifex::api
