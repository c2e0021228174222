// The names readers see for authors: the roster's (the federation's members and the local
// roster, node/store/federation_load.hpp), and this node's own from its configuration.
// One place, because both the representations that show names (an alert's JSON, the feed) and
// their validators (ETags) must agree on them. Internal to node/http.
#pragma once

#include <map>
#include <string>

#include <boost/json/object.hpp>

#include "keys/bytes.hpp"
#include "keys/identity.hpp"
#include "keys/result.hpp"
#include "node/store/store.hpp"

namespace ifex::api {

struct AuthorNames {
  std::map<PublicKey, std::string> names;  // authors without a name are absent
  Hash digest;  // changes whenever any name (or who has one) changes: for ETags
};

// Reads the roster; `own_name` is the name of `own`.
Result<AuthorNames> author_names(const Store& store, const PublicKey& own,
                                 const std::string& own_name);

// Sets `author_name` in an alert's JSON when its author has a name.
void put_author_name(boost::json::object& alert, const AuthorNames& names,
                     const PublicKey& author);

}  // namespace ifex::api
