// ifexnode clock / export / import: bundles of signed entries for the sneakernet path, and the
// clock file that lets an export carry only what the other node lacks.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>

#include "keys/key_text.hpp"
#include "node/base/wall_clock.hpp"
#include "node/bundle/bundle_io.hpp"
#include "node/bundle/clock_io.hpp"
#include "node/cli/cli_support.hpp"
#include "node/home/node_handle.hpp"

namespace ifex::cli {

void add_clock_command(CLI::App& app) {
  struct Options {
    std::string data;
    std::string out;
    bool force = false;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "clock", "Write what this node holds (per author its head) for `export --since` elsewhere");
  cmd->add_option("--data", o->data, "Data directory")->required();
  cmd->add_option("--out", o->out, "Clock file to write")->required();
  cmd->add_flag("--force", o->force, "Replace the output file if it exists");
  cmd->add_flag("--json", o->json, "Print {authors, fork_proofs, bytes} as JSON");
  cmd->callback([o] {
    // Read-only: safe beside a running node, and changes nothing in the data dir.
    NodeHandle node = need(NodeHandle::open(o->data, NodeHandle::Access::read_only));
    ClockReport r = need(write_clock_file(node.store(), o->out, o->force));
    if (o->json)
      print_json(boost::json::object{
          {"authors", r.authors}, {"fork_proofs", r.fork_proofs}, {"bytes", r.bytes}});
    else
      std::cout << "wrote the heads of " << r.authors << " authors (" << r.fork_proofs
                << " with fork proofs, " << r.bytes << " bytes) to " << o->out << "\n";
  });
}

void add_export_command(CLI::App& app) {
  struct Options {
    std::string data;
    std::string out;
    std::string since;
    std::vector<std::string> authors;
    bool force = false;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("export", "Write signed entries to a bundle file");
  cmd->add_option("--data", o->data, "Data directory")->required();
  cmd->add_option("--out", o->out, "Bundle file to write")->required();
  cmd->add_option("--author", o->authors, "Only this author's log (repeatable; default: all)");
  cmd->add_option("--since", o->since,
                  "Only what the node that wrote this clock file (`ifexnode clock`) lacks")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--force", o->force, "Replace the output file if it exists");
  cmd->add_flag("--json", o->json, "Print {entries, fork_proofs, bytes} (and forks) as JSON");
  cmd->callback([o] {
    std::vector<PublicKey> authors;
    for (const auto& a : o->authors) authors.push_back(parse_key_argument(a, "--author"));
    std::optional<std::vector<HeldLog>> since;
    if (!o->since.empty()) since = need(read_clock_file(o->since), "reading the clock file");
    // Read-only: safe beside a running node, and changes nothing in the data dir.
    NodeHandle node = need(NodeHandle::open(o->data, NodeHandle::Access::read_only));
    ExportReport r = need(export_bundle(node.store(), o->out, authors, o->force, since));
    if (o->json) {
      boost::json::object out{
          {"entries", r.entries}, {"fork_proofs", r.fork_proofs}, {"bytes", r.bytes}};
      if (since) out["forks"] = r.forks;
      print_json(out);
    } else {
      std::cout << "exported " << r.entries << " entries and " << r.fork_proofs
                << " fork proofs (" << r.bytes << " bytes) to " << o->out << "\n";
      if (r.forks > 0)
        std::cout << "the clock's node holds a different entry than this one for " << r.forks
                  << " authors: a fork; its import will record the proof\n";
    }
  });
}

namespace {

boost::json::object rejected_json(const RejectedRecord& r) {
  boost::json::object out{{"record", r.record}, {"code", r.code}, {"reason", r.reason}};
  if (r.author) out["author"] = public_key_to_text(*r.author);
  if (r.seq) out["seq"] = *r.seq;
  if (r.id) out["id"] = r.id->hex();
  return out;
}

}  // namespace

void add_import_command(CLI::App& app) {
  struct Options {
    std::string data;
    std::string file;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "import", "Verify and store the entries of a bundle; exits non-zero if any was rejected");
  cmd->add_option("--data", o->data, "Data directory")->required();
  cmd->add_option("file", o->file, "Bundle file")->required()->check(CLI::ExistingFile);
  cmd->add_flag("--json", o->json, "Print the report as JSON");
  cmd->callback([o] {
    NodeHandle node = need(NodeHandle::open(o->data));
    ImportPolicy policy{node.own_key(), node.config().import_batch_entries,
                        wall_clock_ms(),
                        node.config().max_clock_skew_s * 1000};
    ImportReport r = need(import_bundle(node.store(), o->file, policy));
    if (o->json) {
      boost::json::array rejected;
      for (const auto& rej : r.rejected) rejected.push_back(rejected_json(rej));
      boost::json::object out{{"records", r.records},
                              {"stored", r.stored},
                              {"duplicates", r.duplicates},
                              {"fork_proofs_added", r.fork_proofs_added},
                              {"rejected", rejected}};
      if (r.bundle_error) out["bundle_error"] = r.bundle_error->message;
      print_json(out);
    } else {
      for (const auto& rej : r.rejected) {
        std::cerr << "rejected record " << rej.record;
        if (rej.author) std::cerr << " (" << fingerprint(*rej.author) << " #" << *rej.seq << ")";
        std::cerr << ": " << rej.reason << "\n";
      }
      if (r.bundle_error) std::cerr << "damaged bundle: " << r.bundle_error->message << "\n";
      std::cout << "stored " << r.stored << ", already held " << r.duplicates << ", rejected "
                << r.rejected.size() << " of " << r.records << " records\n";
    }
    if (!r.clean()) throw Failure{"import finished with rejected records", 1};
  });
}

}  // namespace ifex::cli
