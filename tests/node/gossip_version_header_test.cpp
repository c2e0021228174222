// The gossip version a connection speaks, agreed through Sec-WebSocket-Protocol.
#include "node/net/gossip_version_header.hpp"

#include <catch2/catch.hpp>

namespace ifex {
namespace {

TEST_CASE("a client offers version 2 and a server of version 2 takes it", "[gossip][version]") {
  CHECK(offered_gossip_versions() == "ifex-gossip.2");
  CHECK(choose_gossip_version(offered_gossip_versions()) == GossipVersion::v2);
  CHECK(gossip_version_answer(GossipVersion::v2) == "ifex-gossip.2");
  CHECK(gossip_version_of_answer("ifex-gossip.2") == GossipVersion::v2);
}

TEST_CASE("without an offer or an answer both ends speak version 1", "[gossip][version]") {
  // A node of version 1 sends no offer, and ignores ours: no answer header.
  CHECK(choose_gossip_version("") == GossipVersion::v1);
  CHECK(gossip_version_answer(GossipVersion::v1).empty());
  CHECK(gossip_version_of_answer("") == GossipVersion::v1);
}

TEST_CASE("a server picks the newest version it knows from a list, ignoring the rest",
          "[gossip][version]") {
  CHECK(choose_gossip_version("ifex-gossip.9, ifex-gossip.2, chat") == GossipVersion::v2);
  CHECK(choose_gossip_version("  ifex-gossip.2  ") == GossipVersion::v2);
  CHECK(choose_gossip_version("ifex-gossip.1") == GossipVersion::v1);
  CHECK(choose_gossip_version("ifex-gossip.20,,") == GossipVersion::v1);
}

TEST_CASE("a client refuses an answer it did not offer", "[gossip][version]") {
  CHECK_FALSE(gossip_version_of_answer("ifex-gossip.3"));
  CHECK_FALSE(gossip_version_of_answer("ifex-gossip.1"));
  CHECK_FALSE(gossip_version_of_answer("chat"));
}

}  // namespace
}  // namespace ifex
