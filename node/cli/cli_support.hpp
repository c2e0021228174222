// Helpers shared by the sub-commands: turning Result errors into a message on stderr and a
// non-zero exit, JSON output, and parsing of common arguments.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "keys/bytes.hpp"
#include "keys/result.hpp"

namespace CLI {
class App;
}
namespace ifex {
class NodeHandle;
}

namespace ifex::cli {

// Thrown by a command to stop with a message on stderr; caught in main.
struct Failure {
  std::string message;
  int exit_code = 1;
};

template <class T>
T need(Result<T> result, const std::string& context = "") {
  if (!result) throw Failure{(context.empty() ? "" : context + ": ") + result.error().message};
  return std::move(result.value());
}
void need(const Status& status, const std::string& context = "");

void print_json(const boost::json::value& value);
void warn(const std::string& message);
std::uint64_t now_ms();

// The passphrase file named by a flag, else by $IFEXNODE_PASSPHRASE_FILE, else none. Warns when
// the file can be read by group or others.
std::optional<std::filesystem::path> passphrase_source(const std::string& flag_value);

// A public key in its text form (ifexpk1...), with a clear error naming the argument.
PublicKey parse_key_argument(const std::string& text, const std::string& what);
// The same for a key being added to the roster or the peers: a point no key pair has (the
// identity, a small-order point) is refused too (member_key_from_text).
PublicKey parse_member_key_argument(const std::string& text, const std::string& what);

// Registers each sub-command on the app (one function per file in node/cli/).
void add_init_command(CLI::App& app);
void add_id_command(CLI::App& app);
void add_publish_command(CLI::App& app);
void add_list_command(CLI::App& app);
void add_show_command(CLI::App& app);
void add_roster_command(CLI::App& app);
void add_clock_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_import_command(CLI::App& app);
void add_verify_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_peer_command(CLI::App& app);
void add_status_command(CLI::App& app);
void add_network_key_command(CLI::App& app);
void add_search_command(CLI::App& app);
void add_reindex_command(CLI::App& app);
void add_import_archive_command(CLI::App& app);
void add_publishing_command(CLI::App& app);
void add_federation_command(CLI::App& app);
void add_doctor_command(CLI::App& app);
void add_backup_command(CLI::App& app);
void add_restore_command(CLI::App& app);
// Builds the search index and the alert catalog of `node` from its store (DATA/index must be
// absent or empty: `reindex` removes it first), with progress on stderr. Returns the alerts.
std::uint64_t build_indexes(NodeHandle& node);
// Joins the federation an invitation file names: takes its network key (an existing other one
// only with `replace_network_key`), pins its genesis and adds its bootstrap peers.
void join_federation(const std::string& data, const std::string& invitation_file,
                     bool replace_network_key);

}  // namespace ifex::cli
