// ifexnode search / reindex: full-text search over the alerts, and rebuilding the derived
// indexes (search index and alert catalog) from the store.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>
#include <unistd.h>

#include "keys/key_text.hpp"
#include "node/app/search_plan.hpp"
#include "node/archive/alert_catalog.hpp"
#include "node/archive/archive_indexer.hpp"
#include "node/base/progress.hpp"
#include "node/cli/cli_support.hpp"
#include "node/codec/entry_json.hpp"
#include "node/home/node_handle.hpp"
#include "node/search/search_errors.hpp"
#include "node/search/search_index.hpp"
#include "node/store/federation_load.hpp"

namespace ifex::cli {

namespace {

std::unique_ptr<AlertCatalog> open_catalog(NodeHandle& node) {
  return need(AlertCatalog::open(node.dir().catalog_dir(),
                                 store_options(node.dir(), node.config()).map_size),
              "opening the alert catalog");
}

SearchPlan plan_of(const NodeHandle& node) {
  return need(search_plan(node.config().search), "reading [search]");
}

// Brings both indexes up to date with the store, with progress on stderr when it is long.
// `index` is null on a node that searches remote shards: then only the catalog is kept.
void index_backlog(NodeHandle& node, AlertCatalog& catalog, SearchIndex* index, bool quiet) {
  // Large batches: each is one Xapian commit (a flush to disk), the dominant cost of a rebuild.
  ArchiveIndexer indexer(node.store(), catalog, index, 10'000,
                         need(ended_keys(node.store()), "reading the federation's revocations"));
  need(indexer.void_revoked(), "taking void alerts out of the indexes");
  std::uint64_t backlog = need(indexer.backlog(), "reading the index state");
  if (backlog == 0) return;
  std::unique_ptr<Progress> progress;
  if (!quiet || backlog > 2000)
    progress.reset(new Progress(Progress::on_stderr("indexing", "entries", backlog)));
  std::uint64_t reported = 0;
  need(indexer.catch_up(0,
                        [&](std::uint64_t done) {
                          if (progress) progress->add(done - reported);
                          reported = done;
                        }),
       "indexing");
  if (progress) progress->finish();
}

// Xapian's snippets mark matches with <mark>; a terminal shows them bold, text outside is
// unescaped back to what the author wrote.
std::string snippet_for_terminal(const std::string& html, bool tty) {
  std::string out;
  for (std::size_t i = 0; i < html.size();) {
    auto starts = [&](std::string_view s) { return html.compare(i, s.size(), s) == 0; };
    if (starts("<mark>")) out += tty ? "\x1b[1m" : "[", i += 6;
    else if (starts("</mark>")) out += tty ? "\x1b[0m" : "]", i += 7;
    else if (starts("&lt;")) out += '<', i += 4;
    else if (starts("&gt;")) out += '>', i += 4;
    else if (starts("&amp;")) out += '&', i += 5;
    else if (starts("&quot;")) out += '"', i += 6;
    else if (starts("&#39;")) out += '\'', i += 5;
    else out += html[i++];
  }
  return out;
}

struct SearchOptions {
  std::string data;
  std::string query;
  std::map<std::string, std::string> filters;
  std::size_t limit = 20;
  std::size_t offset = 0;
  bool json = false;
};

void run_search(const SearchOptions& o) {
  SearchRequest request;
  request.query = o.query;
  request.limit = o.limit;
  request.offset = o.offset;
  for (const auto& [name, value] : o.filters)
    if (!value.empty()) need(set_filter(request.filters, name, value));

  NodeHandle node = need(NodeHandle::open(o.data));
  const SearchPlan plan = plan_of(node);
  auto catalog = open_catalog(node);
  // A running node holds the index's write lock and keeps it current; otherwise index now.
  std::unique_ptr<SearchIndex> index;
  auto writable = plan.local_index() ? SearchIndex::open_writable(node.dir().search_dir(), plan.shard)
                                     : SearchIndex::open_remote(plan.remote, plan.remote_timeout);
  if (writable) {
    index = std::move(*writable);
    if (plan.local_index()) index_backlog(node, *catalog, index.get(), true);
  } else if (search_errors::is_index_locked(writable.error())) {
    index = need(SearchIndex::open_readonly(node.dir().search_dir()), "opening the search index");
  } else {
    throw Failure{writable.error().message};
  }
  auto loader = [&](const Hash& id) -> std::optional<Alert> {
    auto e = node.store().entry_by_id(id);
    if (!e || !*e) return std::nullopt;
    auto a = decode_alert((*e)->payload());
    return a ? std::optional<Alert>(std::move(*a)) : std::nullopt;
  };
  auto results = need(index->search(request, loader));

  boost::json::array hits;
  for (const auto& hit : results.hits) {
    auto e = need(node.store().entry_by_id(hit.id));
    if (!e) continue;
    auto alert = decode_alert(e->payload());
    if (!alert) continue;
    const AlertText& text = text_in(*alert, request.filters.lang);
    if (o.json) {
      boost::json::object item = entry_summary_json(*e);
      item["date"] = alert_date(alert->event_date, e->created_ms());
      item["lang"] = text.lang;
      item["title"] = text.title;
      item["score"] = hit.percent;
      item["snippet_html"] = hit.snippet_html;
      hits.push_back(std::move(item));
    } else {
      bool tty = isatty(STDOUT_FILENO);
      std::cout << alert_date(alert->event_date, e->created_ms()) << "  " << alert->country
                << "  " << text.lang << "  " << text.title << "  (" << hit.percent << "%)\n"
                << "    " << snippet_for_terminal(hit.snippet_html, tty) << "\n"
                << "    " << hit.id.hex() << "\n";
    }
  }
  if (o.json) {
    print_json(boost::json::object{{"query", o.query},
                                   {"total_estimate", results.total_estimate},
                                   {"offset", o.offset},
                                   {"results", std::move(hits)}});
  } else if (results.hits.empty()) {
    std::cout << "no alerts match\n";
  } else {
    std::cout << results.hits.size() << " shown of about " << results.total_estimate << "\n";
  }
}

}  // namespace

void add_search_command(CLI::App& app) {
  auto o = std::make_shared<SearchOptions>();
  auto* cmd = app.add_subcommand("search", "Search the alerts (words, \"phrases\", AND/OR/NOT)");
  cmd->add_option("--data", o->data, "Data directory")->required();
  cmd->add_option("query", o->query, "What to search for")->required();
  for (const char* name : {"lang", "country", "category", "author", "from", "to"}) {
    static const std::map<std::string, std::string> help{
        {"lang", "Only alerts with a text in this language (en, fr, es, ar...)"},
        {"country", "Only alerts about this country (ISO 3166-1 alpha-2)"},
        {"category", "Only alerts in this category (docs/taxonomy.md)"},
        {"author", "Only alerts published by this node (public key)"},
        {"from", "Only events on or after this date (YYYY-MM-DD)"},
        {"to", "Only events on or before this date (YYYY-MM-DD)"}};
    cmd->add_option(std::string("--") + name, o->filters[name], help.at(name));
  }
  cmd->add_option("--limit", o->limit, "At most this many results")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--offset", o->offset, "Skip this many results")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print the results as JSON");
  cmd->callback([o] { run_search(*o); });
}

void add_reindex_command(CLI::App& app) {
  struct Options {
    std::string data;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "reindex", "Rebuild the search index and the alert catalog from the store");
  cmd->add_option("--data", o->data, "Data directory")->required();
  cmd->callback([o] {
    NodeHandle node = need(NodeHandle::open(o->data));
    const DataDir& dir = node.dir();
    {
      // Taking the write lock proves no node is running on this data dir (the lock is taken
      // before the shard is compared, so a mismatch does not hide a running node).
      auto probe = SearchIndex::open_writable(dir.search_dir(), plan_of(node).shard);
      if (!probe && search_errors::is_index_locked(probe.error()))
        throw Failure{"a running node holds the search index; stop it first (it keeps the index "
                      "current by itself)"};
    }
    std::error_code ec;
    std::filesystem::remove_all(dir.index_dir(), ec);
    if (ec) throw Failure{"cannot remove " + dir.index_dir().string() + ": " + ec.message()};
    std::cout << "indexed " << build_indexes(node) << " alerts\n";
  });
}

std::uint64_t build_indexes(NodeHandle& node) {
  const SearchPlan plan = plan_of(node);
  auto catalog = open_catalog(node);
  std::unique_ptr<SearchIndex> index;
  if (plan.local_index())
    index = need(SearchIndex::open_writable(node.dir().search_dir(), plan.shard),
                 "creating the search index");
  index_backlog(node, *catalog, index.get(), false);
  return need(catalog->count());
}

}  // namespace ifex::cli
