#include "node/cli/cli_support.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <iostream>

#include "keys/key_text.hpp"

namespace ifex::cli {

void need(const Status& status, const std::string& context) {
  if (!status) throw Failure{(context.empty() ? "" : context + ": ") + status.error().message};
}

void print_json(const boost::json::value& value) { std::cout << boost::json::serialize(value) << "\n"; }

void warn(const std::string& message) { std::cerr << "warning: " << message << "\n"; }

std::uint64_t now_ms() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

PublicKey parse_key_argument(const std::string& text, const std::string& what) {
  return need(public_key_from_text(text), what);
}

}  // namespace ifex::cli
