#include "protocol/taxonomy.hpp"

#include <algorithm>
#include <array>

namespace ifex {

namespace {
// Order is presentation order (most frequent first); docs/taxonomy.md describes each. The web
// page shows the labels (it reads this list from GET /api/categories).
constexpr std::array<CategoryName, 14> category_names_table = {{
    {"press-freedom", "Press freedom"},
    {"attack-on-journalist", "Attack on journalist"},
    {"internet-censorship", "Internet censorship"},
    {"access-to-information", "Access to information"},
    {"criminal-defamation", "Criminal defamation"},
    {"media-concentration", "Media concentration"},
    {"impunity", "Impunity"},
    {"detention", "Detention"},
    {"legal-harassment", "Legal harassment"},
    {"surveillance", "Surveillance"},
    {"online-harassment", "Online harassment"},
    {"censorship", "Censorship"},
    {"freedom-of-assembly", "Freedom of assembly"},
    {"artistic-expression", "Artistic expression"},
}};

constexpr auto categories = [] {
  std::array<std::string_view, category_names_table.size()> slugs{};
  for (std::size_t i = 0; i < slugs.size(); ++i) slugs[i] = category_names_table[i].slug;
  return slugs;
}();

// ISO 3166-1 alpha-2 officially assigned codes, plus XK (Kosovo, user-assigned but in common use
// by the UN and EU systems our members report to).
constexpr std::string_view countries =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR "
    "BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ "
    "EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW "
    "GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY "
    "KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV "
    "MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY "
    "QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG "
    "TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA "
    "ZM ZW";

// ISO 639-1 codes of the languages in use across the federation's members and their audiences.
constexpr std::string_view languages =
    "af am ar az be bg bn bs ca cs da de el en es et fa fi fr ha he hi hr hu hy id is it ja ka kk "
    "km ko ku ky lo lt lv mk ml mn mr ms my ne nl no pa pl ps pt ro ru rw si sk sl so sq sr sv sw "
    "ta te tg th ti tk tl tr uk ur uz vi wo xh yo zh zu";

bool in_list(std::string_view list, std::string_view code) {
  if (code.empty() || code.find(' ') != std::string_view::npos) return false;
  for (std::size_t pos = 0; pos < list.size();) {
    std::size_t end = list.find(' ', pos);
    if (end == std::string_view::npos) end = list.size();
    if (list.substr(pos, end - pos) == code) return true;
    pos = end + 1;
  }
  return false;
}

bool all_of(std::string_view s, bool (*pred)(char)) {
  return std::all_of(s.begin(), s.end(), pred);
}
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower_alnum(char c) { return is_lower(c) || (c >= '0' && c <= '9'); }
}  // namespace

std::span<const std::string_view> alert_categories() { return categories; }
std::span<const CategoryName> category_names() {
  return category_names_table;
}

bool is_known_category(std::string_view slug) {
  return std::find(categories.begin(), categories.end(), slug) != categories.end();
}
bool is_known_country(std::string_view alpha2) {
  return is_country_syntax(alpha2) && in_list(countries, alpha2);
}
bool is_known_language(std::string_view code) {
  return is_language_syntax(code) && in_list(languages, code);
}

bool is_slug(std::string_view s) {
  if (s.empty() || s.size() > 64 || s.front() == '-' || s.back() == '-') return false;
  if (s.find("--") != std::string_view::npos) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_lower_alnum(c) || c == '-'; });
}
bool is_country_syntax(std::string_view s) { return s.size() == 2 && all_of(s, is_upper); }
bool is_language_syntax(std::string_view s) {
  return (s.size() == 2 || s.size() == 3) && all_of(s, is_lower);
}

}  // namespace ifex
