#include "node/net/store_poller.hpp"

#include <boost/asio/post.hpp>
#include <algorithm>

namespace ifex {

LogHead StoreLogReader::head(const PublicKey& author) const {
  auto h = store_.head(author);
  if (!h || !*h) return LogHead{};
  auto last_carried = carried_until_(author);
  if (!last_carried || (*h)->seq <= *last_carried) return **h;
  if (*last_carried == 0) return LogHead{};
  auto at = store_.log_range(author, *last_carried, 1);
  if (!at || at->empty()) return LogHead{};
  return LogHead{*last_carried, at->front().id()};
}

std::vector<Bytes> StoreLogReader::read(const PublicKey& author, std::uint64_t from_seq,
                                        std::size_t max_count, std::size_t max_bytes) const {
  if (auto last_carried = carried_until_(author)) {
    if (from_seq > *last_carried) return {};
    max_count = std::min<std::uint64_t>(max_count, *last_carried - from_seq + 1);
  }
  auto raw = store_.log_bytes(author, from_seq, max_count, max_bytes);
  return raw ? std::move(*raw) : std::vector<Bytes>{};
}

StorePoller::StorePoller(boost::asio::io_context& core_ioc, std::chrono::milliseconds interval,
                         std::function<void()> poll)
    : ioc_(core_ioc), interval_(interval), poll_(std::move(poll)), timer_(core_ioc) {}

void StorePoller::start() {
  schedule();
}

void StorePoller::stop() {
  stopped_ = true;
  timer_.cancel();
}

void StorePoller::poll_now() {
  boost::asio::post(ioc_, [this] {
    if (!stopped_) poll_();
  });
}

void StorePoller::schedule() {
  timer_.expires_after(interval_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    poll_();
    schedule();
  });
}

}  // namespace ifex
