// The store as the core reads it. Other processes (CLI `publish`, `import`, `roster add`,
// `peer add`) write the same LMDB environment, and POST /api/alerts writes it from the HTTP pool:
// StorePoller wakes the core every poll_interval_ms (or at once, on poll_now) to look at what
// changed; NodeCore then refreshes Membership and lets the StoreWriter report new entries to the
// Replicator. StoreLogReader is the store seen through the Replicator's LogReader (the logs it
// serves in a catch-up): an ended key's log (revoked, rotated, removed) ends, for it, at the end
// plus the margin every node carries (protocol/federation_roster.hpp), so nothing beyond is served.
//
// Threads: core thread only. poll_now() may be called from any thread: it posts to the core.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <optional>

#include "node/store/store.hpp"
#include "protocol/replicator.hpp"

namespace ifex {

class StoreLogReader final : public LogReader {
 public:
  // `carried_until(key)`: the last seq served of a key whose log the federation ended (its end
  // plus the margin, protocol/federation_roster.hpp), nullopt for any other.
  using CarriedUntil = std::function<std::optional<std::uint64_t>(const PublicKey&)>;
  StoreLogReader(const Store& store, CarriedUntil carried_until)
      : store_(store), carried_until_(std::move(carried_until)) {}
  LogHead head(const PublicKey& author) const override;
  std::vector<Bytes> read(const PublicKey& author, std::uint64_t from_seq, std::size_t max_count,
                          std::size_t max_bytes) const override;

 private:
  const Store& store_;
  CarriedUntil carried_until_;
};

class StorePoller {
 public:
  // `poll` runs on the core's io_context.
  StorePoller(boost::asio::io_context& core_ioc, std::chrono::milliseconds interval,
              std::function<void()> poll);
  // Core thread.
  void start();
  void stop();
  // Any thread: poll as soon as the core can (unless stopped).
  void poll_now();

 private:
  void schedule();

  boost::asio::io_context& ioc_;
  std::chrono::milliseconds interval_;
  std::function<void()> poll_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
};

}  // namespace ifex
