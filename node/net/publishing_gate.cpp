#include "node/net/publishing_gate.hpp"

#include <algorithm>

#include "keys/key_text.hpp"
#include "node/base/log.hpp"
#include "node/base/wall_clock.hpp"
#include "node/codec/entry_json.hpp"

namespace ifex {

void PublishingGate::refresh() {
  auto hold = store_.publishing_hold();
  if (!hold)
    return log_event(LogLevel::error, LogArea::publish, "hold_unreadable",
                     "cannot read the publishing hold: " + hold.error().message,
                     {{"error", hold.error().message}});
  const bool was_held = hold_.has_value();
  hold_ = *hold;
  if (hold_ && !was_held)
    log_event(LogLevel::warn, LogArea::publish, "publishing_held",
              publishing_held_message(*hold_));
  try_release();
}

std::uint64_t PublishingGate::own_head_seq() const {
  auto head = store_.head(own_key_);
  // Unreadable: say "nothing", which can only keep the hold, never lift it wrongly.
  if (!head || !*head) return 0;
  return (*head)->seq;
}

void PublishingGate::peer_named_own_log(const PublicKey& peer, std::uint64_t seq) {
  std::uint64_t& named = named_[peer];
  named = std::max(named, seq);
  if (!hold_ && seq > own_head_seq()) {
    // Another node holds entries of our own log that our store lacks: it went back in time
    // (restored with its inode kept, a snapshot rolled back) or our identity runs elsewhere.
    PublishingHold hold{"peer_ahead", wall_clock_ms(),
                        "peer " + fingerprint(peer) + " holds this node's own log up to seq " +
                            std::to_string(seq) + " and this store only up to seq " +
                            std::to_string(own_head_seq())};
    if (auto set = store_.hold_publishing(hold); !set)
      return log_event(LogLevel::error, LogArea::publish, "hold_failed",
                       "cannot hold publishing: " + set.error().message,
                       {{"error", set.error().message}});
    refresh();
    return;
  }
  try_release();
}

void PublishingGate::own_log_grew() { try_release(); }

void PublishingGate::try_release() {
  if (!hold_ || named_.size() < needed_) return;
  std::uint64_t highest = 0;
  for (const auto& [peer, seq] : named_) highest = std::max(highest, seq);
  const std::uint64_t head = own_head_seq();
  if (head < highest) return;
  if (auto released = store_.release_publishing(); !released)
    return log_event(LogLevel::error, LogArea::publish, "release_failed",
                     "cannot lift the publishing hold: " + released.error().message,
                     {{"error", released.error().message}});
  log_event(LogLevel::info, LogArea::publish, "publishing_resumed",
            "publishing resumed: " + std::to_string(named_.size()) +
                " peer(s) hold this node's own log up to seq " + std::to_string(highest) +
                " and this store holds it up to seq " + std::to_string(head),
            {{"peers", std::to_string(named_.size())},
             {"peers_head_seq", std::to_string(highest)},
             {"head_seq", std::to_string(head)}});
  hold_.reset();
}

boost::json::object PublishingGate::json() const {
  std::uint64_t highest = 0;
  for (const auto& [peer, seq] : named_) highest = std::max(highest, seq);
  boost::json::object out{{"held", hold_.has_value()},
                          {"confirmations", named_.size()},
                          {"confirmations_needed", needed_},
                          {"own_seq_named_by_peers", highest}};
  if (hold_) {
    out["reason"] = hold_->reason;
    out["since"] = iso8601_utc(hold_->since_ms);
    out["detail"] = hold_->detail;
  }
  return out;
}

}  // namespace ifex
