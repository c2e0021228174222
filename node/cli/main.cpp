// ifexnode: one binary, sub-commands (docs/operations.md lists them all).
#include <CLI/CLI.hpp>
#include <iostream>

#include "keys/identity.hpp"
#include "node/cli/cli_support.hpp"

int main(int argc, char** argv) {
  CLI::App app{"ifexnode: a node of the IFEX federation of signed alerts"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ifexnode 0.1.0");
  using namespace ifex::cli;
  add_init_command(app);
  add_id_command(app);
  add_publish_command(app);
  add_publishing_command(app);
  add_federation_command(app);
  add_list_command(app);
  add_show_command(app);
  add_roster_command(app);
  add_clock_command(app);
  add_export_command(app);
  add_import_command(app);
  add_import_archive_command(app);
  add_verify_command(app);
  add_network_key_command(app);
  add_peer_command(app);
  add_run_command(app);
  add_status_command(app);
  add_search_command(app);
  add_reindex_command(app);
  add_doctor_command(app);
  add_backup_command(app);
  add_restore_command(app);
  try {
    ifex::init_crypto();
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const Failure& f) {
    std::cerr << "ifexnode: " << f.message << "\n";
    return f.exit_code;
  } catch (const std::exception& e) {
    std::cerr << "ifexnode: unexpected error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
