// Dialer: keeps one outbound connection to every peer on the peer list, retrying with capped
// exponential backoff and jitter, trying each of a peer's addresses in turn. A peer that is
// already connected (it dialed us) is left alone.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <random>

#include "node/net/net_context.hpp"

namespace ifex {

class Dialer {
 public:
  Dialer(boost::asio::io_context& ioc, NetContext& ctx);
  void start();
  void stop();

 private:
  struct Loop {
    bool stopped = false;
    std::vector<std::string> urls;  // restarted when the operator changes them
    PeerTlsTrust tls;               // or how their certificates are checked
  };
  boost::asio::awaitable<void> manage();
  boost::asio::awaitable<void> dial_loop(PeerRecord peer, std::shared_ptr<Loop> loop);
  std::chrono::milliseconds backoff(unsigned failures);

  boost::asio::io_context& ioc_;
  NetContext& ctx_;
  std::map<PublicKey, std::shared_ptr<Loop>> loops_;
  std::mt19937_64 jitter_;
  bool stopped_ = false;
};

}  // namespace ifex
