// Dialer: keeps one outbound connection to every peer on the peer list, retrying with capped
// exponential backoff and jitter, trying each of a peer's addresses in turn. A peer that is
// already connected (it dialed us) is left alone. A peer is dialed directly or through a SOCKS5
// proxy ([network] socks5_proxy, or its own from `peer add --socks5`), which then resolves its
// host: no local DNS lookup is made for a peer dialed through a proxy.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <map>
#include <memory>
#include <random>

#include "node/net/endpoint.hpp"
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
    std::string socks5;             // or the peer's own proxy
  };
  boost::asio::awaitable<void> manage();
  boost::asio::awaitable<void> dial_loop(PeerRecord peer, std::shared_ptr<Loop> loop);
  std::chrono::milliseconds backoff(unsigned failures);
  // Connects `stream` to the peer at `url`, directly or through its proxy: "" or why not.
  boost::asio::awaitable<std::string> connect_stream(boost::beast::tcp_stream& stream,
                                                     const PeerUrl& url, const PeerRecord& peer,
                                                     boost::asio::ip::tcp::resolver& resolver);
  // The SOCKS5 username for a peer: the same for one peer during this run, different for two,
  // and telling the proxy nothing about either key (a keyed hash under a salt of this run).
  std::string isolation_username(const PublicKey& peer) const;

  boost::asio::io_context& ioc_;
  NetContext& ctx_;
  std::map<PublicKey, std::shared_ptr<Loop>> loops_;
  std::mt19937_64 jitter_;
  std::array<unsigned char, 32> isolation_salt_{};
  bool stopped_ = false;
};

}  // namespace ifex
