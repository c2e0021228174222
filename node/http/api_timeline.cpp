// GET /api/timeline: alerts per year, or per month of one year, optionally by category
// (docs/http-api.md, "GET /api/timeline").
#include <algorithm>
#include <ctime>
#include <vector>

#include "node/base/wall_clock.hpp"
#include "node/http/api_handlers.hpp"
#include "node/http/api_support.hpp"
#include "node/http/facets_json.hpp"
#include "node/store/federation_load.hpp"

namespace ifex::api {

namespace json = boost::json;

namespace {

// The archive's history starts here: the timeline shows every year from it on.
constexpr int first_year = 1995;

int current_utc_year() {
  const std::time_t now = static_cast<std::time_t>(wall_clock_ms() / 1000);
  std::tm utc{};
  gmtime_r(&now, &utc);
  return utc.tm_year + 1900;
}

std::string four_digits(int year) {
  std::string s = std::to_string(year);
  s.insert(0, s.size() < 4 ? 4 - s.size() : 0, '0');
  return s;
}

std::string two_digits(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

int days_in_month(int year, int month) {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[month - 1];
}

// "YYYY", exactly four digits, or nothing.
Result<std::optional<int>> year_param(const ParsedTarget& target) {
  auto it = target.params.find("year");
  if (it == target.params.end() || it->second.empty()) return std::optional<int>{};
  const std::string& text = it->second;
  if (text.size() != 4 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return make_error("bad_parameter", "parameter 'year': expected YYYY (four digits)");
  return std::optional<int>{std::stoi(text)};
}

Result<bool> stack_param(const ParsedTarget& target) {
  auto it = target.params.find("stack");
  if (it == target.params.end() || it->second.empty() || it->second == "none") return false;
  if (it->second == "category") return true;
  return make_error("bad_parameter", "parameter 'stack': expected 'category' or 'none'");
}

struct Bin {
  std::string period, from, to;
};

// Every year from 1995 (or the earliest year counted, if earlier) to this one (or the latest
// counted, if later); or the twelve months of `year`.
std::vector<Bin> bins_of(const TimelineCounts& counts, std::optional<int> year) {
  std::vector<Bin> out;
  if (year) {
    const std::string y = four_digits(*year);
    for (int m = 1; m <= 12; ++m)
      out.push_back({y + "-" + two_digits(m), y + "-" + two_digits(m) + "-01",
                     y + "-" + two_digits(m) + "-" + two_digits(days_in_month(*year, m))});
    return out;
  }
  int first = first_year, last = current_utc_year();
  if (!counts.total.empty()) {
    first = std::min(first, std::stoi(counts.total.begin()->first));
    last = std::max(last, std::stoi(counts.total.rbegin()->first));
  }
  for (int y = first; y <= last; ++y)
    out.push_back({four_digits(y), four_digits(y) + "-01-01", four_digits(y) + "-12-31"});
  return out;
}

json::array category_entries(const std::map<std::string, std::uint64_t>& counts) {
  std::vector<std::pair<std::string, std::uint64_t>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  json::array out;
  for (const auto& [value, n] : sorted) out.push_back(json::object{{"value", value}, {"count", n}});
  return out;
}

}  // namespace

HttpResponse timeline(ApiServices& s, const ParsedTarget& target) {
  if (auto st = check_params(target, {"year", "stack"}); !st) return error_response(st.error());
  auto filters = filters_from(target);
  if (!filters) return error_response(filters.error());
  auto year = year_param(target);
  if (!year) return error_response(year.error());
  auto stacked = stack_param(target);
  if (!stacked) return error_response(stacked.error());
  auto counts = s.catalog.timeline(*filters, *year, *stacked);
  if (!counts) return error_response(counts.error());
  auto revoked = ended_keys(s.store);
  if (!revoked) return error_response(revoked.error());
  auto voided = s.catalog.voided();
  if (!voided) return error_response(voided.error());

  std::uint64_t total = 0;
  json::array bins;
  for (const Bin& b : bins_of(*counts, *year)) {
    auto n = counts->total.find(b.period);
    const std::uint64_t count = n == counts->total.end() ? 0 : n->second;
    total += count;
    json::object bin{{"period", b.period}, {"from", b.from}, {"to", b.to}, {"count", count}};
    if (*stacked) {
      auto c = counts->by_category.find(b.period);
      bin["categories"] = c == counts->by_category.end() ? json::array{} : category_entries(c->second);
    }
    bins.push_back(std::move(bin));
  }
  json::object out{{"unit", *year ? "month" : "year"},
                   {"year", *year ? json::value(four_digits(**year)) : json::value(nullptr)},
                   {"stack", *stacked ? json::value("category") : json::value(nullptr)},
                   {"total", total},
                   {"total_exact", counts->exact && !counts_lag_revocations(*revoked, *voided)},
                   {"bins", std::move(bins)}};
  return json_response(200, out);
}

}  // namespace ifex::api
