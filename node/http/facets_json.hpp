// The JSON of facet counts, one shape for listings and search (docs/http-api.md, "Facets").
// Internal to node/http.
#pragma once

#include <cstdint>
#include <map>

#include <boost/json/object.hpp>

#include "node/codec/facet_counts.hpp"
#include "node/http/author_names.hpp"

namespace ifex::api {

// {"country": [{"value","count"}], "category", "lang", "author" (each also with "name" when
// the roster has one), "year"}: years oldest first, every other facet by count, highest first,
// then by value.
boost::json::object facets_json(const FacetCounts& counts, const AuthorNames& names);

// True while the indexer has not yet carried out a revocation the store holds (`ended`, from
// ended_keys()) in the catalog and the search index (`voided`, the catalog's record of what it
// took out): counts may then still include void alerts, so they are not called exact.
bool counts_lag_revocations(const std::map<PublicKey, std::uint64_t>& ended,
                            const std::map<PublicKey, std::uint64_t>& voided);

}  // namespace ifex::api
