// node/web/web_assets.hpp
#pragma once
#include <string_view>
namespace ifex {
struct WebAsset {
  std::string_view content_type;  // e.g. "text/html; charset=utf-8"
  std::string_view body;
  std::string_view etag;          // quoted strong ETag computed at build time from the content
};
// "/" maps to index.html; nullptr for unknown paths.
const WebAsset* find_web_asset(std::string_view path);
}
