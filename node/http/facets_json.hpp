// The JSON of facet counts, one shape for listings and search (docs/http-api.md, "Facets").
// Internal to node/http.
#pragma once

#include <boost/json/object.hpp>

#include "node/codec/facet_counts.hpp"
#include "node/http/author_names.hpp"

namespace ifex::api {

// {"country": [{"value","count"}], "category", "lang", "author" (each also with "name" when
// the roster has one), "year"}: years oldest first, every other facet by count, highest first,
// then by value.
boost::json::object facets_json(const FacetCounts& counts, const AuthorNames& names);

}  // namespace ifex::api
