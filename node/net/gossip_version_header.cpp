#include "node/net/gossip_version_header.hpp"

#include <cstdint>

namespace ifex {

namespace {

constexpr std::string_view prefix = "ifex-gossip.";

std::string name_of(GossipVersion version) {
  return std::string(prefix) + std::to_string(static_cast<unsigned>(version));
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A version this node speaks above 1, from one token; nullopt for anything else.
std::optional<GossipVersion> known_version(std::string_view token) {
  for (auto v = static_cast<unsigned>(newest_gossip_version); v > 1; --v)
    if (token == name_of(static_cast<GossipVersion>(v))) return static_cast<GossipVersion>(v);
  return std::nullopt;
}

}  // namespace

std::string offered_gossip_versions() {
  std::string out;
  for (auto v = static_cast<unsigned>(newest_gossip_version); v > 1; --v)
    out += (out.empty() ? "" : ", ") + name_of(static_cast<GossipVersion>(v));
  return out;
}

GossipVersion choose_gossip_version(std::string_view offer) {
  GossipVersion best = GossipVersion::v1;
  while (!offer.empty()) {
    const std::size_t comma = offer.find(',');
    const std::string_view token = trimmed(offer.substr(0, comma));
    if (auto v = known_version(token); v && *v > best) best = *v;
    if (comma == std::string_view::npos) break;
    offer.remove_prefix(comma + 1);
  }
  return best;
}

std::string gossip_version_answer(GossipVersion version) {
  return version == GossipVersion::v1 ? std::string() : name_of(version);
}

std::optional<GossipVersion> gossip_version_of_answer(std::string_view answer) {
  answer = trimmed(answer);
  if (answer.empty()) return GossipVersion::v1;
  return known_version(answer);
}

}  // namespace ifex
