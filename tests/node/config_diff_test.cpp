// changed_config_keys (node/home/config_diff): what a SIGHUP reload names as changed.
#include <catch2/catch.hpp>

#include "node/home/config_diff.hpp"

using namespace ifex;

TEST_CASE("the keys that differ are named in the file's order") {
  NodeConfig before;
  NodeConfig after = before;
  CHECK(changed_config_keys(before, after).empty());
  after.log.level = "debug";
  after.http.cache_max_age_s = 60;
  after.role = NodeRole::hub;
  after.network.listen = "127.0.0.1:9";
  CHECK(changed_config_keys(before, after) ==
        std::vector<std::string>{"node.role", "network.listen", "http.cache_max_age_s",
                                 "log.level"});
}
