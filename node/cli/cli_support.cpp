#include "node/cli/cli_support.hpp"

#include <boost/json.hpp>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
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

std::optional<std::filesystem::path> passphrase_source(const std::string& flag_value) {
  std::string path = flag_value;
  if (path.empty())
    if (const char* env = std::getenv("IFEXNODE_PASSPHRASE_FILE"); env != nullptr) path = env;
  if (path.empty()) return std::nullopt;
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0)
    warn("the passphrase file " + path + " can be read by other users; chmod 600 it");
  return std::filesystem::path(path);
}

PublicKey parse_key_argument(const std::string& text, const std::string& what) {
  return need(public_key_from_text(text), what);
}

PublicKey parse_member_key_argument(const std::string& text, const std::string& what) {
  return need(member_key_from_text(text), what);
}

}  // namespace ifex::cli
