#include "node/net/dialer.hpp"

#include <sodium.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "keys/key_text.hpp"
#include "node/base/log.hpp"
#include "node/home/proxy_address.hpp"
#include "node/net/endpoint.hpp"
#include "node/net/gossip_session.hpp"
#include "node/net/socks5_connect.hpp"
#include "node/net/tls_dial.hpp"

namespace ifex {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::awaitable;
using asio::use_awaitable;
using std::chrono::milliseconds;

Dialer::Dialer(asio::io_context& ioc, NetContext& ctx) : ioc_(ioc), ctx_(ctx) {
  std::uint64_t seed;
  randombytes_buf(&seed, sizeof seed);
  jitter_.seed(seed);
  randombytes_buf(isolation_salt_.data(), isolation_salt_.size());
}

void Dialer::start() { asio::co_spawn(ioc_, manage(), asio::detached); }

void Dialer::stop() {
  asio::post(ioc_, [this] {
    stopped_ = true;
    for (auto& [key, loop] : loops_) loop->stopped = true;
  });
}

// Backoff doubles from reconnect_min_ms to reconnect_max_ms; the jitter (50-100 %) keeps a
// federation that restarts together from dialing in lock step.
milliseconds Dialer::backoff(unsigned failures) {
  const NetworkConfig& net = ctx_.core.config().network;
  double base = static_cast<double>(net.reconnect_min_ms) * std::pow(2.0, std::min(failures, 30u));
  base = std::min(base, static_cast<double>(net.reconnect_max_ms));
  std::uniform_real_distribution<double> factor(0.5, 1.0);
  return milliseconds(static_cast<std::int64_t>(base * factor(jitter_)));
}

awaitable<void> Dialer::manage() {
  asio::steady_timer timer(ioc_);
  while (!stopped_) {
    std::map<PublicKey, PeerRecord> wanted;
    for (auto& p : ctx_.core.dial_list())
      if (p.key != ctx_.core.own_key()) wanted[p.key] = p;
    for (auto it = loops_.begin(); it != loops_.end();) {
      auto w = wanted.find(it->first);
      if (w == wanted.end() || w->second.urls != it->second->urls ||
          w->second.tls != it->second->tls || w->second.socks5 != it->second->socks5) {
        it->second->stopped = true;
        it = loops_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [key, record] : wanted) {
      if (loops_.count(key)) continue;
      auto loop = std::make_shared<Loop>();
      loop->urls = record.urls;
      loop->tls = record.tls;
      loop->socks5 = record.socks5;
      loops_[key] = loop;
      asio::co_spawn(ioc_, dial_loop(record, loop), asio::detached);
    }
    timer.expires_after(milliseconds(ctx_.core.config().network.poll_interval_ms * 5));
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
  }
}

awaitable<void> Dialer::dial_loop(PeerRecord peer, std::shared_ptr<Loop> loop) {
  asio::steady_timer timer(ioc_);
  asio::ip::tcp::resolver resolver(ioc_);
  const NetworkConfig& net = ctx_.core.config().network;
  unsigned failures = 0;
  std::size_t next_url = 0;
  while (!loop->stopped && !stopped_) {
    milliseconds wait(net.poll_interval_ms * 5);
    if (!ctx_.core.is_connected(peer.key) && !peer.urls.empty()) {
      const std::string& text = peer.urls[next_url++ % peer.urls.size()];
      auto url = parse_peer_url(text);
      std::string error;
      bool connected = false;
      if (!url) {
        error = url.error().message;
      } else {
        beast::tcp_stream stream(asio::make_strand(ioc_));
        error = co_await connect_stream(stream, *url, peer, resolver);
        if (error.empty()) {
          connected = true;
          // Two statements, not `?:`: GCC 12 frees a temporary of a co_await inside a
          // conditional expression twice.
          SessionEnded ended;
          if (url->tls)
            ended = co_await run_tls_outbound(ctx_, std::move(stream), *url, peer.tls, peer.key,
                                              milliseconds(net.handshake_timeout_ms));
          else
            ended = co_await gossip::run_outbound(
                ctx_, std::move(stream), url->host + ":" + std::to_string(url->port), url->path,
                peer.key, url->text());
          error = ended.reason;
          // A session that got past the handshake resets the backoff, except one the peer
          // drops before saying anything: redialing that at once would flap as fast as the
          // peer drops it. (A session cut later, as a censor may do every few kilobytes,
          // still reconnects at once, so catch-up goes on.)
          if (!ended.handshake_done) {
            connected = false;
          } else if (ended.dropped_unheard && !ctx_.core.is_connected(peer.key)) {
            // (Still connected by the peer's own link: two nodes dialed each other at once
            // and the peer kept the other link. Not a problem.)
            connected = false;
            ctx_.core.connection_problem(
                ConnectionProblem::duplicate_identity, fingerprint(peer.key),
                "peer " + fingerprint(peer.key) + " at " + text +
                    " closes our connection right after the handshake: most likely another "
                    "node with our identity (a restored copy of this node?) is connected to it");
          } else {
            failures = 0;
          }
        }
      }
      if (!connected) {
        ctx_.core.dial_failed(peer.key, text, error);
        log_event(LogLevel::debug, LogArea::net, "dial_failed",
                  "dialing " + fingerprint(peer.key) + " at " + text + " failed: " + error,
                  {{"peer", fingerprint(peer.key)}, {"url", text}, {"error", error}});
        wait = backoff(failures++);
      } else {
        wait = backoff(0);
      }
    }
    timer.expires_after(wait);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
  }
}

std::string Dialer::isolation_username(const PublicKey& peer) const {
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest, peer.view().data(), peer.view().size(),
                     isolation_salt_.data(), isolation_salt_.size());
  return to_hex(ByteView(digest, sizeof digest));
}

awaitable<std::string> Dialer::connect_stream(beast::tcp_stream& stream, const PeerUrl& url,
                                              const PeerRecord& peer,
                                              asio::ip::tcp::resolver& resolver) {
  const NetworkConfig& net = ctx_.core.config().network;
  const milliseconds timeout(net.handshake_timeout_ms);
  const bool forced_direct = peer.socks5 == peer_proxy_direct;
  const std::string via = forced_direct ? "" : peer.socks5.empty() ? net.socks5_proxy : peer.socks5;
  boost::system::error_code ec;
  if (via.empty()) {
    // Checked before the resolver: an onion name sent to the local DNS would tell its servers
    // (and whoever watches them) which onion service this node is looking for.
    if (is_onion_host(url.host))
      co_return url.host + " is a Tor onion service: dialing it needs [network] socks5_proxy "
                           "(Tor's SocksPort, e.g. \"127.0.0.1:9050\")" +
          std::string(forced_direct ? ", and this peer was added with --socks5 none" : "");
    auto endpoints = co_await resolver.async_resolve(url.host, std::to_string(url.port),
                                                     asio::redirect_error(use_awaitable, ec));
    if (ec) co_return "cannot resolve " + url.host + ": " + ec.message();
    stream.expires_after(timeout);
    co_await stream.async_connect(endpoints, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return "cannot connect: " + ec.message();
    co_return std::string();
  }
  // Through the proxy: the peer's host goes to it as given, so no local lookup is made.
  auto proxy = parse_proxy_address(via);
  if (!proxy) co_return proxy.error().message;
  const asio::ip::tcp::endpoint at(asio::ip::make_address(proxy->ip, ec), proxy->port);
  if (ec) co_return "SOCKS5 proxy " + via + ": " + ec.message();
  stream.expires_after(timeout);
  co_await stream.async_connect(at, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return "cannot connect to the SOCKS5 proxy " + via + ": " + ec.message();
  Socks5Credentials credentials;
  if (net.socks5_isolate) credentials = {isolation_username(peer.key), "isolate"};
  Status tunnel = co_await socks5_connect(stream, url.host, url.port, credentials, timeout);
  if (!tunnel) co_return "through the SOCKS5 proxy " + via + ": " + tunnel.error().message;
  co_return std::string();
}

}  // namespace ifex
