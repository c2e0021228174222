// The HTTP API (node/http/http_api.hpp) answering arbitrary requests: any method, target,
// headers and body (layout in http_request_text.hpp), against a small real node made once per
// process: a store holding the fixture log, its catalog and search index, and an admin token
// the seeds know, so POST /api/alerts reaches the JSON parser and the signing path.
// A request may be refused with any 4xx; a 5xx other than 503 (index not ready) is a bug, since
// nothing in this node is broken or full.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string_view>

#include "fuzz_check.hpp"
#include "fuzz_fixtures.hpp"
#include "fuzz_workdir.hpp"
#include "http_request_text.hpp"
#include "node/archive/archive_indexer.hpp"
#include "node/http/http_api.hpp"
#include "node/search/search_index.hpp"

namespace ifex {
namespace {

void write_admin_token(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  FUZZ_CHECK(fd >= 0);
  std::string line = std::string(fuzz::admin_token) + "\n";
  FUZZ_CHECK(::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()));
  ::close(fd);
}

struct Node {
  fuzz::WorkDir dir{"http"};
  NodeConfig config;
  std::unique_ptr<Store> store;
  std::unique_ptr<AlertCatalog> catalog;
  std::unique_ptr<SearchReaders> search;
  std::unique_ptr<AdminTokenCheck> token;
  std::unique_ptr<HttpApi> api;

  Node() {
    config.name = "Fuzz hub";
    config.role = NodeRole::hub;
    StoreOptions options;
    options.dir = dir.path() / "store";
    options.map_size = std::size_t{256} << 20;
    auto opened = Store::open(options);
    FUZZ_CHECK(opened);
    store = std::move(*opened);
    auto log = fuzz::fixture_log();
    FUZZ_CHECK(store->append(log).ok());

    auto cat = AlertCatalog::open(dir.path() / "catalog", std::size_t{64} << 20);
    FUZZ_CHECK(cat);
    catalog = std::move(*cat);
    {
      // Indexed once; the API reads through its own read-only handles afterwards.
      auto writer = SearchIndex::open_writable(dir.path() / "search");
      FUZZ_CHECK(writer);
      ArchiveIndexer indexer(*store, *catalog, writer->get());
      auto indexed = indexer.catch_up();
      FUZZ_CHECK(indexed && *indexed == log.size());
    }
    search = std::make_unique<SearchReaders>(dir.path() / "search");
    write_admin_token(dir.path() / "admin.token");
    auto check = AdminTokenCheck::load(dir.path() / "admin.token");
    FUZZ_CHECK(check);
    token = std::make_unique<AdminTokenCheck>(*check);
    api = std::make_unique<HttpApi>(ApiServices{
        config, *store, *catalog, *search, fuzz::author(), *token,
        [] { return std::string("{\"peers\":[]}"); }, [] { return std::vector<Metric>{}; },
        [] {}});
  }
};

Node& node() {
  static Node n;
  return n;
}

}  // namespace
}  // namespace ifex

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ifex;
  HttpRequest request =
      fuzz::parse_request_text(std::string_view(reinterpret_cast<const char*>(data), size));
  HttpResponse response = node().api->handle(request);
  if (response.status >= 500 && response.status != 503)
    std::fprintf(stderr, "HTTP %d for %s %s: %s\n", response.status, request.method.c_str(),
                 request.target.c_str(), response.body.c_str());
  FUZZ_CHECK(response.status >= 200 && response.status < 600);
  FUZZ_CHECK(response.status < 500 || response.status == 503);
  return 0;
}
