// The vocabularies an author picks from when publishing: alert categories (docs/taxonomy.md),
// ISO 3166-1 alpha-2 country codes and ISO 639-1 language codes.
//
// Receiving nodes check only the *syntax* of these fields (a slug, two capital letters, two or
// three small letters): a later version may add a category or a new country code, and an older
// node must still carry such alerts, or it would break the author's chain. Authoring checks the
// lists themselves, so this version never signs a code it does not know.
#pragma once

#include <span>
#include <string_view>

namespace ifex {

// The category slugs, in presentation order.
std::span<const std::string_view> alert_categories();
// The same, each with the English label the web page shows for it.
struct CategoryName {
  std::string_view slug;
  std::string_view label;
};
std::span<const CategoryName> category_names();
bool is_known_category(std::string_view slug);
bool is_known_country(std::string_view alpha2);
bool is_known_language(std::string_view code);

// Syntax only: [a-z0-9]+(-[a-z0-9]+)*, at most 64 bytes.
bool is_slug(std::string_view s);
// Two ASCII capital letters.
bool is_country_syntax(std::string_view s);
// Two or three ASCII small letters.
bool is_language_syntax(std::string_view s);

}  // namespace ifex
