#include "node/http/author_names.hpp"

#include "node/store/federation_load.hpp"

namespace ifex::api {

Result<AuthorNames> author_names(const Store& store, const PublicKey& own,
                                 const std::string& own_name) {
  auto roster = effective_roster(store);
  if (!roster) return roster.error();
  auto former = earlier_key_names(store);
  if (!former) return former.error();
  AuthorNames out;
  out.names = std::move(*former);
  for (const auto& m : *roster) out.names[m.key] = m.name;
  out.names[own] = own_name;
  // Length-prefixed pairs in key order: no two different maps give the same bytes.
  Bytes material;
  for (const auto& [key, name] : out.names) {
    material.insert(material.end(), key.view().begin(), key.view().end());
    std::uint64_t n = name.size();
    for (int i = 7; i >= 0; --i) material.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
    material.insert(material.end(), name.begin(), name.end());
  }
  out.digest = blake2b_256({material});
  return out;
}

void put_author_name(boost::json::object& alert, const AuthorNames& names,
                     const PublicKey& author) {
  if (auto it = names.names.find(author); it != names.names.end()) alert["author_name"] = it->second;
}

}  // namespace ifex::api
