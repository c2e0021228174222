#include "node/http/facets_json.hpp"

#include <algorithm>
#include <vector>

#include <boost/json/array.hpp>

#include "keys/key_text.hpp"

namespace ifex::api {

namespace json = boost::json;

namespace {

using Counted = std::vector<std::pair<std::string, std::uint64_t>>;

Counted by_count(const std::map<std::string, std::uint64_t>& counts) {
  Counted out(counts.begin(), counts.end());
  // The map is ordered by value already: a stable sort keeps that order among equal counts.
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

json::array entries(const Counted& counted) {
  json::array out;
  for (const auto& [value, count] : counted)
    out.push_back(json::object{{"value", value}, {"count", count}});
  return out;
}

}  // namespace

json::object facets_json(const FacetCounts& counts, const AuthorNames& names) {
  json::array authors;
  for (const auto& [hex, count] : by_count(counts.author)) {
    auto key = PublicKey::from_hex(hex);
    if (!key) continue;  // written by this node: never, but a bad one is left out
    json::object item{{"value", public_key_to_text(*key)}, {"count", count}};
    if (auto it = names.names.find(*key); it != names.names.end()) item["name"] = it->second;
    authors.push_back(std::move(item));
  }
  return json::object{
      {"country", entries(by_count(counts.country))},
      {"category", entries(by_count(counts.category))},
      {"lang", entries(by_count(counts.lang))},
      {"author", std::move(authors)},
      {"year", entries(Counted(counts.year.begin(), counts.year.end()))},
  };
}

bool counts_lag_revocations(const std::map<PublicKey, std::uint64_t>& ended,
                            const std::map<PublicKey, std::uint64_t>& voided) {
  for (const auto& [key, last_valid] : ended) {
    auto done = voided.find(key);
    if (done == voided.end() || done->second > last_valid) return true;
  }
  return false;
}

}  // namespace ifex::api
