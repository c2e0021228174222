// GET /api/categories: the alert categories this node publishes with, for the web page's filter
// and publish forms. The list is protocol/taxonomy.cpp's, so the page never keeps a copy.
#include "node/http/api_handlers.hpp"
#include "node/http/api_support.hpp"
#include "protocol/taxonomy.hpp"

namespace ifex::api {

HttpResponse list_categories(const ParsedTarget& target) {
  if (!target.params.empty())
    return error_response(
        make_error("bad_parameter", "unknown parameter '" + target.params.begin()->first + "'"));
  boost::json::array categories;
  for (const CategoryName& c : category_names())
    categories.push_back(boost::json::object{{"slug", c.slug}, {"label", c.label}});
  return json_response(200, boost::json::object{{"categories", std::move(categories)}});
}

}  // namespace ifex::api
