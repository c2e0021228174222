// The federation as JSON: `ifexnode federation show --json` and GET /api/federation (the shape
// is documented in docs/http-api.md). Only keys, fingerprints, names and entry ids: nothing that
// says where a member connects from.
#pragma once

#include <boost/json/object.hpp>

#include "protocol/federation_roster.hpp"

namespace ifex {

boost::json::object federation_json(const FederationState& state);

}  // namespace ifex
