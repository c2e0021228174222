// parse_target (node/http/query_string.hpp): the path and query of every HTTP request, before
// any handler sees it. What it accepts is valid UTF-8 and within the parameter limit.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "node/http/query_string.hpp"
#include "protocol/utf8.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ifex;
  std::string_view target(reinterpret_cast<const char*>(data), size);
  for (std::size_t max_params : {std::size_t{32}, std::size_t{2}}) {
    auto parsed = parse_target(target, max_params);
    if (!parsed) continue;
    FUZZ_CHECK(parsed->params.size() <= max_params);
    FUZZ_CHECK(is_valid_utf8(parsed->path));
    for (const auto& [name, value] : parsed->params)
      FUZZ_CHECK(is_valid_utf8(name) && is_valid_utf8(value));
  }
  return 0;
}
