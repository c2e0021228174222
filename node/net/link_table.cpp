#include "node/net/link_table.hpp"

namespace ifex {

bool new_link_wins(const PublicKey& own_key, const PublicKey& key, bool existing_outbound,
                   bool new_outbound) {
  const PublicKey& existing_dialer = existing_outbound ? own_key : key;
  const PublicKey& new_dialer = new_outbound ? own_key : key;
  return !(existing_dialer == new_dialer || existing_dialer < new_dialer);
}

Link* LinkTable::find(PeerId id) {
  auto it = links_.find(id);
  return it == links_.end() ? nullptr : &it->second;
}

const Link* LinkTable::find(PeerId id) const {
  auto it = links_.find(id);
  return it == links_.end() ? nullptr : &it->second;
}

std::optional<PeerId> LinkTable::find_key(const PublicKey& key) const {
  for (const auto& [id, l] : links_)
    if (l.key == key) return id;
  return std::nullopt;
}

std::optional<Link> LinkTable::erase(PeerId id) {
  auto it = links_.find(id);
  if (it == links_.end()) return std::nullopt;
  Link out = std::move(it->second);
  links_.erase(it);
  return out;
}

}  // namespace ifex
