// The embedded web page (node/web): the paths the page needs exist with the right content types
// and ETags, and unknown paths are refused.
#include <catch2/catch.hpp>

#include "node/web/web_assets.hpp"
#include "protocol/taxonomy.hpp"

namespace ifex {

namespace {

bool is_quoted_strong_etag(std::string_view etag) {
  return etag.size() > 2 && etag.front() == '"' && etag.back() == '"' && !etag.starts_with("W/");
}

}  // namespace

TEST_CASE("web assets: / is the page, and the page's scripts and styles are there") {
  const WebAsset* root = find_web_asset("/");
  REQUIRE(root != nullptr);
  CHECK(root->content_type == "text/html; charset=utf-8");
  CHECK(root->body.find("<!doctype html>") == 0);
  CHECK(root->body.find("app.js") != std::string_view::npos);
  CHECK(is_quoted_strong_etag(root->etag));

  const WebAsset* index = find_web_asset("/index.html");
  REQUIRE(index != nullptr);
  CHECK(index->body == root->body);
  CHECK(index->etag == root->etag);

  const WebAsset* js = find_web_asset("/app.js");
  REQUIRE(js != nullptr);
  CHECK(js->content_type == "text/javascript; charset=utf-8");
  CHECK(!js->body.empty());
  CHECK(is_quoted_strong_etag(js->etag));
  CHECK(js->etag != root->etag);

  const WebAsset* css = find_web_asset("/style.css");
  REQUIRE(css != nullptr);
  CHECK(css->content_type == "text/css; charset=utf-8");

  const WebAsset* icon = find_web_asset("/favicon.svg");
  REQUIRE(icon != nullptr);
  CHECK(icon->content_type == "image/svg+xml");
}

// The page reads the categories from GET /api/categories; a copy of the list in the script would
// drift from the one the node publishes with.
TEST_CASE("web assets: the script holds no copy of the category list") {
  const WebAsset* js = find_web_asset("/app.js");
  REQUIRE(js != nullptr);
  CHECK(js->body.find("/api/categories") != std::string_view::npos);
  for (const CategoryName& c : category_names()) {
    INFO(c.slug);
    CHECK(js->body.find("'" + std::string(c.slug) + "'") == std::string_view::npos);
    CHECK(js->body.find("\"" + std::string(c.slug) + "\"") == std::string_view::npos);
    CHECK(js->body.find("'" + std::string(c.label) + "'") == std::string_view::npos);
  }
}

TEST_CASE("web assets: unknown paths give nullptr") {
  for (std::string_view path :
       {"", "/nope", "/app.js/", "/APP.JS", "app.js", "/../app.js", "/api/alerts", "/index.htm",
        "/app.js?v=1", "//"}) {
    INFO(path);
    CHECK(find_web_asset(path) == nullptr);
  }
}

}  // namespace ifex
