// GET /api/federation: the federation's members, threshold, pending proposals with who signed,
// and the changes applied (docs/http-api.md). Computed from the store on each request (the
// roster rule reads the roster entries only, a few per change), never from the network.
#include "keys/key_text.hpp"
#include "node/codec/federation_json.hpp"
#include "node/http/api_handlers.hpp"
#include "node/http/api_support.hpp"
#include "node/store/federation_load.hpp"

namespace ifex::api {

HttpResponse federation(ApiServices& s) {
  auto view = load_federation(s.store);
  if (!view) return error_response(view.error());
  if (!*view) return error_response(404, "this node belongs to no federation");
  if (!(*view)->state) {
    HttpResponse res = error_response(
        503, "this node has not yet received its federation's genesis (entry " +
                 (*view)->pin.genesis.hex() + " of " + fingerprint((*view)->pin.founder) + ")");
    res.headers.emplace_back("Retry-After", "5");
    return res;
  }
  return json_response(200, federation_json(*(*view)->state));
}

}  // namespace ifex::api
