// PeerLink: what the node's core sees of one authenticated gossip connection. Implemented by
// GossipSession; every method is thread-safe (it posts to the session's strand).
#pragma once

#include <cstddef>
#include <string>

#include "keys/bytes.hpp"
#include "protocol/gossip_messages.hpp"

namespace ifex {

// Why the node ends a link; it decides what the peer is told (docs/protocol.md, "Closing a
// connection"): shutdown and duplicate_link end cleanly (FINAL, close 1000), protocol_error
// with close 1008 and a short code, slow_peer and evicted by dropping TCP.
enum class CloseCause { shutdown, duplicate_link, protocol_error, slow_peer, evicted };

class PeerLink {
 public:
  virtual ~PeerLink() = default;
  // Queues one gossip message (plaintext; the session encrypts it). A link whose queue grows
  // past the configured cap is closed: the peer reads too slowly.
  virtual void send(Bytes plaintext) = 0;
  // Ends the link. `reason` is for our log; `code` (protocol_error only) is what the peer is
  // told: a short slug such as an Error::code, never addresses, paths or key material.
  virtual void close(CloseCause cause, std::string reason, std::string code) = 0;
  // Bytes queued and not yet written to the socket.
  virtual std::size_t queued_bytes() const = 0;
  // The gossip version agreed in the upgrade: how messages to this peer are encoded. Fixed
  // before the core hears of the link.
  virtual GossipVersion gossip_version() const = 0;
};

}  // namespace ifex
