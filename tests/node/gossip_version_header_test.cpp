// The gossip version a connection speaks, agreed through Sec-WebSocket-Protocol.
#include "node/net/gossip_version_header.hpp"

#include <catch2/catch.hpp>

namespace ifex {
namespace {

TEST_CASE("a client offers versions 3 and 2 and a server of version 3 takes 3",
          "[gossip][version]") {
  CHECK(offered_gossip_versions() == "ifex-gossip.3, ifex-gossip.2");
  CHECK(choose_gossip_version(offered_gossip_versions()) == GossipVersion::v3);
  CHECK(gossip_version_answer(GossipVersion::v3) == "ifex-gossip.3");
  CHECK(gossip_version_of_answer("ifex-gossip.3") == GossipVersion::v3);
}

TEST_CASE("with a node of version 2 both ends speak version 2", "[gossip][version]") {
  // A version-2 server picks 2 from our offer; a version-2 client offers only 2.
  CHECK(choose_gossip_version("ifex-gossip.2") == GossipVersion::v2);
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
  CHECK(choose_gossip_version("ifex-gossip.2, ifex-gossip.3") == GossipVersion::v3);
  CHECK(choose_gossip_version("  ifex-gossip.2  ") == GossipVersion::v2);
  CHECK(choose_gossip_version("ifex-gossip.1") == GossipVersion::v1);
  CHECK(choose_gossip_version("ifex-gossip.20,,") == GossipVersion::v1);
}

TEST_CASE("a client refuses an answer it did not offer", "[gossip][version]") {
  CHECK_FALSE(gossip_version_of_answer("ifex-gossip.4"));
  CHECK_FALSE(gossip_version_of_answer("ifex-gossip.1"));
  CHECK_FALSE(gossip_version_of_answer("chat"));
}

}  // namespace
}  // namespace ifex
