// PeerLink: what the node's core sees of one authenticated gossip connection. Implemented by
// GossipSession; every method is thread-safe (it posts to the session's strand).
#pragma once

#include <cstddef>
#include <string>

#include "keys/bytes.hpp"

namespace ifex {

class PeerLink {
 public:
  virtual ~PeerLink() = default;
  // Queues one gossip message (plaintext; the session encrypts it). A link whose queue grows
  // past the configured cap is closed: the peer reads too slowly.
  virtual void send(Bytes plaintext) = 0;
  virtual void close(std::string reason) = 0;
  // Bytes queued and not yet written to the socket.
  virtual std::size_t queued_bytes() const = 0;
};

}  // namespace ifex
