// The discrete-event queue: events in order of (time, order of scheduling), so that two events
// at the same microsecond always run in the same order and a seed replays exactly.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "keys/bytes.hpp"

namespace ifex::sim {

enum class EventKind : std::uint8_t {
  tick,          // a node's Replicator timer (target: node)
  deliver,       // a message arrives (target: link, side: its sender's side)
  dial,          // a connection attempt starts (target: link)
  connected,     // the attempt's handshake completes (target: link)
  link_failure,  // a random close (target: link)
  publish,       // the next alert
  action,        // a scenario event starts (side 0) or ends (side 1) (target: its index)
  roster,        // a roster scenario's step (side: which; target: node, or conflict index)
};

struct Event {
  std::uint64_t time_us = 0;
  std::uint64_t order = 0;
  EventKind kind = EventKind::tick;
  std::uint32_t target = 0;
  std::uint32_t side = 0;
  std::uint32_t generation = 0;  // of the link's connection or dial attempt it belongs to
  Bytes bytes;                   // deliver: the encoded message
};

class EventQueue {
 public:
  void push(std::uint64_t time_us, Event e) {
    e.time_us = time_us;
    e.order = next_order_++;
    heap_.push_back(std::move(e));
    std::push_heap(heap_.begin(), heap_.end(), later);
  }
  bool empty() const { return heap_.empty(); }
  // REQUIRES: !empty()
  std::uint64_t next_time() const { return heap_.front().time_us; }
  // REQUIRES: !empty()
  Event pop() {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    Event e = std::move(heap_.back());
    heap_.pop_back();
    return e;
  }
  std::size_t size() const { return heap_.size(); }

 private:
  static bool later(const Event& a, const Event& b) {
    return a.time_us != b.time_us ? a.time_us > b.time_us : a.order > b.order;
  }
  std::vector<Event> heap_;
  std::uint64_t next_order_ = 0;
};

}  // namespace ifex::sim
