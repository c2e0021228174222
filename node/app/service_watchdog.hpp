// Keeps systemd's watchdog (WatchdogSec=) fed: WATCHDOG=1 every half period from the thread
// that runs `ioc`, so a network thread that hangs stops the pings and systemd restarts the
// node. Does nothing when the watchdog is off (no $WATCHDOG_USEC for this process).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

namespace ifex {

// Lives on `ioc`'s thread: construct, start() and destroy it there (or before `ioc` runs).
class ServiceWatchdog {
 public:
  explicit ServiceWatchdog(boost::asio::io_context& ioc);
  // Sends the first ping now and arms the timer; a no-op when the watchdog is off.
  void start();

 private:
  void ping();

  boost::asio::steady_timer timer_;
  std::chrono::microseconds interval_{0};
};

}  // namespace ifex
