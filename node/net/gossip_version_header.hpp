// Which gossip version a connection speaks, agreed in the WebSocket upgrade through the
// Sec-WebSocket-Protocol header (docs/protocol.md, "Versions"). A client offers every version
// above 1 it speaks, newest first ("ifex-gossip.2"); the server answers with the newest it also
// speaks, or with no header at all, which is what a node of version 1 does (it ignores the
// offer): then both speak version 1. Pure: strings in, a version out.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "protocol/gossip_messages.hpp"

namespace ifex {

// The client's offer, e.g. "ifex-gossip.2".
std::string offered_gossip_versions();
// The server's choice from a client's offer (the header's value, "" when absent).
GossipVersion choose_gossip_version(std::string_view offer);
// The header value a server sends for `version`; "" for version 1 (no header).
std::string gossip_version_answer(GossipVersion version);
// The client's reading of the server's answer ("" when absent: version 1). nullopt when the
// server named something the client did not offer: the connection is refused.
std::optional<GossipVersion> gossip_version_of_answer(std::string_view answer);

}  // namespace ifex
