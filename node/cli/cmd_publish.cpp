// ifexnode publish: sign an alert and append it to this node's own log. The id is printed only
// after the store's transaction committed, so a printed id is durable.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "keys/key_text.hpp"
#include "node/cli/cli_support.hpp"
#include "node/codec/entry_json.hpp"
#include "node/codec/strict_json.hpp"
#include "node/home/node_handle.hpp"
#include "protocol/alert.hpp"

namespace ifex::cli {

namespace {

struct PublishOptions {
  std::string data;
  std::string file;
  std::string passphrase_file;
  Alert alert;
  bool json = false;
};

Alert alert_from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Failure{"cannot open " + path};
  std::stringstream text;
  text << in.rdbuf();
  // Strict: a key given twice is refused, as on the API (the node must sign what a reviewer of
  // the file saw, not the last of two titles).
  auto value = parse_strict_json(text.str(), 16);
  if (!value) throw Failure{path + ": " + value.error().message};
  return need(alert_from_json(*value), path);
}

void run_publish(PublishOptions& o, bool fields_given) {
  if (!o.file.empty() && fields_given)
    throw Failure{"give either --file or the alert's fields (--lang, --title, ...), not both"};
  Alert alert = o.file.empty() ? o.alert : alert_from_file(o.file);
  need(validate_alert(alert, Vocabulary::known_only), "invalid alert");

  NodeHandle node = need(NodeHandle::open(o.data));
  // A relay carries the members' logs and authors nothing (docs/operations.md, "Running a relay").
  if (node.config().role == NodeRole::relay)
    throw Failure{"this node is a relay (node.role = \"relay\" in its config): it carries the "
                  "members' logs and publishes nothing; publish from a member node"};
  Identity identity =
      need(node.load_identity(passphrase_source(o.passphrase_file)), "loading the identity key");
  auto stored = node.store().append_own(identity, EntryKind::alert, encode_alert(alert), now_ms());
  // 75 (EX_TEMPFAIL): a script may try again once the running node has heard from its peers.
  if (!stored && stored.error().code == "publishing_held") throw Failure{stored.error().message, 75};
  SignedEntry entry = need(std::move(stored), "publishing");
  if (o.json) {
    print_json(boost::json::object{{"id", entry.id().hex()},
                                   {"author", public_key_to_text(entry.author())},
                                   {"seq", entry.seq()}});
  } else {
    std::cout << entry.id().hex() << "\n";
  }
}

}  // namespace

void add_publish_command(CLI::App& app) {
  auto o = std::make_shared<PublishOptions>();
  auto* cmd = app.add_subcommand("publish", "Sign an alert and append it to this node's log");
  cmd->add_option("--data", o->data, "Data directory")->required();
  cmd->add_option("--file", o->file, "Read the alert from this JSON file (docs/operations.md)")
      ->check(CLI::ExistingFile);
  auto* fields = cmd->add_option_group("alert fields", "The alert, when not given by --file");
  fields->add_option("--lang", o->alert.original.lang, "Original language (ISO 639-1: en, fr, es, ar, ...)");
  fields->add_option("--country", o->alert.country, "Country (ISO 3166-1 alpha-2, e.g. TN)");
  fields->add_option("--category", o->alert.categories, "Category from the taxonomy (repeatable)");
  fields->add_option("--title", o->alert.original.title, "Title");
  fields->add_option("--summary", o->alert.original.summary, "Summary");
  fields->add_option("--body", o->alert.original.body, "Body text");
  fields->add_option("--event-date", o->alert.event_date, "Date of the event, YYYY-MM-DD");
  fields->add_option("--source", o->alert.sources, "Source URL (repeatable)");
  fields->add_option("--tag", o->alert.tags, "Campaign tag (repeatable)");
  cmd->add_option("--passphrase-file", o->passphrase_file,
                  "File holding the key's passphrase (or set IFEXNODE_PASSPHRASE_FILE)");
  cmd->add_flag("--json", o->json, "Print {id, author, seq} as JSON");
  cmd->callback([o, fields] {
    bool fields_given = false;
    for (const CLI::Option* opt : fields->get_options()) fields_given |= opt->count() > 0;
    if (o->file.empty() && !fields_given)
      throw Failure{"give the alert with --file FILE or with --lang, --country, --category, "
                    "--title, --summary and --body"};
    run_publish(*o, fields_given);
  });
}

}  // namespace ifex::cli
