#include "node/app/service_watchdog.hpp"

#include "node/app/service_notify.hpp"

namespace ifex {

ServiceWatchdog::ServiceWatchdog(boost::asio::io_context& ioc) : timer_(ioc) {}

void ServiceWatchdog::start() {
  auto interval = service_watchdog_interval();
  if (!interval) return;
  interval_ = *interval;
  ping();
}

void ServiceWatchdog::ping() {
  service_notify("WATCHDOG=1");
  timer_.expires_after(interval_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) ping();
  });
}

}  // namespace ifex
