#include "node/net/refused_authors.hpp"

#include <algorithm>

#include <boost/json/array.hpp>

#include "keys/key_text.hpp"

namespace ifex {

void RefusedAuthors::note(const PublicKey& author, std::uint64_t offered, std::uint64_t refused) {
  MutexLock lock(mutex_);
  auto it = authors_.find(author);
  if (it == authors_.end()) {
    if (authors_.size() >= max_authors) {
      other_.offered = std::max(other_.offered, offered);
      other_.refused += refused;
      return;
    }
    it = authors_.emplace(author, Counts{}).first;
  }
  it->second.offered = std::max(it->second.offered, offered);
  it->second.refused += refused;
}

void RefusedAuthors::forget(const std::set<PublicKey>& rostered) {
  MutexLock lock(mutex_);
  for (const PublicKey& key : rostered) authors_.erase(key);
}

boost::json::object RefusedAuthors::json() const {
  namespace json = boost::json;
  json::array authors;
  json::object other;
  {
    MutexLock lock(mutex_);
    for (const auto& [key, r] : authors_)
      authors.push_back(json::object{{"key", public_key_to_text(key)},
                                     {"fingerprint", fingerprint(key)},
                                     {"entries_offered", r.offered},
                                     {"entries_refused", r.refused}});
    other = json::object{{"entries_offered", other_.offered}, {"entries_refused", other_.refused}};
  }
  return json::object{{"authors", std::move(authors)}, {"other", std::move(other)}};
}

void RefusedAuthors::add_samples(Metric& offered, Metric& refused) const {
  MutexLock lock(mutex_);
  for (const auto& [key, r] : authors_) {
    offered.samples.push_back({{{"author", fingerprint(key)}}, static_cast<double>(r.offered)});
    refused.samples.push_back({{{"author", fingerprint(key)}}, static_cast<double>(r.refused)});
  }
  offered.samples.push_back({{{"author", "other"}}, static_cast<double>(other_.offered)});
  refused.samples.push_back({{{"author", "other"}}, static_cast<double>(other_.refused)});
}

}  // namespace ifex
