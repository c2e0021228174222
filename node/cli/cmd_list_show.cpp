// ifexnode list / show: read the store, newest first, as text or JSON.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>

#include "keys/key_text.hpp"
#include "node/cli/cli_support.hpp"
#include "node/codec/entry_json.hpp"
#include "node/home/node_handle.hpp"
#include "protocol/alert.hpp"

namespace ifex::cli {

namespace {

void print_line(const SignedEntry& e) {
  std::cout << iso8601_utc(e.created_ms()).substr(0, 16) << "  ";
  if (e.kind() == EntryKind::alert) {
    if (auto a = decode_alert(e.payload())) {
      std::cout << a->original.lang << "  " << a->country << "  " << a->original.title;
    }
  } else {
    std::cout << kind_name(e.kind());
  }
  std::cout << "\n    " << e.id().hex() << "  " << fingerprint(e.author()) << " #" << e.seq()
            << "\n";
}

// How many entries `list` could show: all, or those of the given authors.
Result<std::uint64_t> matching_count(const Store& store, std::span<const PublicKey> authors) {
  if (authors.empty()) return store.entry_count();
  std::uint64_t total = 0;
  for (const auto& author : authors) {
    auto head = store.head(author);
    if (!head) return head.error();
    if (*head) total += (*head)->seq;  // seqs start at 1
  }
  return total;
}

}  // namespace

void add_list_command(CLI::App& app) {
  struct Options {
    std::string data;
    std::string author;
    std::size_t limit = 50;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("list", "List stored entries, newest first");
  cmd->add_option("--data", o->data, "Data directory")->required();
  cmd->add_option("--author", o->author, "Only this author's entries (public key text form)");
  cmd->add_option("--limit", o->limit, "At most this many entries")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print a JSON array of entry summaries");
  cmd->callback([o] {
    NodeHandle node = need(NodeHandle::open(o->data));
    std::vector<PublicKey> authors;
    if (!o->author.empty()) authors.push_back(parse_key_argument(o->author, "--author"));
    auto entries = need(node.store().newest(o->limit, authors));
    if (entries.size() == o->limit) {
      // Said on stderr, so piped output (text or JSON) stays clean.
      const std::uint64_t total = need(matching_count(node.store(), authors));
      if (total > entries.size())
        std::cerr << entries.size() << " of " << total << " entries; use --limit N to see more\n";
    }
    if (o->json) {
      boost::json::array out;
      for (const auto& e : entries) out.push_back(entry_summary_json(e));
      print_json(out);
    } else {
      for (const auto& e : entries) print_line(e);
      if (entries.empty()) std::cout << "no entries\n";
    }
  });
}

void add_show_command(CLI::App& app) {
  struct Options {
    std::string data;
    std::string id;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("show", "Show one entry with its whole payload");
  cmd->add_option("--data", o->data, "Data directory")->required();
  cmd->add_option("id", o->id, "The entry's id (64 hex digits)")->required();
  cmd->add_flag("--json", o->json, "Print as JSON");
  cmd->callback([o] {
    auto id = Hash::from_hex(o->id);
    if (!id) throw Failure{"'" + o->id + "' is not an entry id (64 hex digits)"};
    NodeHandle node = need(NodeHandle::open(o->data));
    auto entry = need(node.store().entry_by_id(*id));
    if (!entry) throw Failure{"no entry with id " + o->id + " in this store"};
    boost::json::object full = entry_full_json(*entry);
    if (o->json) {
      print_json(full);
      return;
    }
    std::cout << "id:       " << entry->id().hex() << "\n"
              << "author:   " << public_key_to_text(entry->author()) << " ("
              << fingerprint(entry->author()) << ")\n"
              << "seq:      " << entry->seq() << "\n"
              << "kind:     " << kind_name(entry->kind()) << "\n"
              << "created:  " << iso8601_utc(entry->created_ms()) << "\n";
    if (entry->kind() != EntryKind::alert) return;
    auto alert = need(decode_alert(entry->payload()));
    std::cout << "country:  " << alert.country << "\n"
              << "event:    " << (alert.event_date.empty() ? "-" : alert.event_date) << "\n"
              << "category: ";
    for (const auto& c : alert.categories) std::cout << c << " ";
    std::cout << "\n";
    for (const auto& s : alert.sources) std::cout << "source:   " << s << "\n";
    auto print_text = [](const AlertText& t) {
      std::cout << "\n[" << t.lang << "] " << t.title << "\n";
      if (!t.summary.empty()) std::cout << t.summary << "\n";
      if (!t.body.empty()) std::cout << "\n" << t.body << "\n";
    };
    print_text(alert.original);
    for (const auto& t : alert.translations) print_text(t);
  });
}

}  // namespace ifex::cli
