// The SOCKS5 exchange over a real loopback socket, against a scripted proxy that checks every
// byte the node sends and answers what each case needs: the username/password path (which the
// danted test cannot reach: danted checks system accounts), bound addresses of every type, and
// each refusal in words. tests/net/socks5_test.py runs the same code against danted.
#include "node/net/socks5_connect.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "keys/bytes.hpp"

namespace ifex {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// One step of the proxy: read exactly `expect`, then write `reply`.
struct Step {
  Bytes expect;
  Bytes reply;
};

struct Outcome {
  Status status;
  std::string after;          // what the client read from the tunnel after success
  bool proxy_saw_all = true;  // every expected byte arrived as expected
};

Bytes text_bytes(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

Bytes join(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

asio::awaitable<void> scripted_proxy(tcp::acceptor& acceptor, std::vector<Step> steps, Bytes then,
                                     bool& saw_all) {
  tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
  boost::system::error_code ec;
  for (const auto& step : steps) {
    Bytes got(step.expect.size());
    co_await asio::async_read(socket, asio::buffer(got),
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec || got != step.expect) {
      saw_all = false;
      co_return;
    }
    co_await asio::async_write(socket, asio::buffer(step.reply),
                               asio::redirect_error(asio::use_awaitable, ec));
  }
  if (!then.empty())
    co_await asio::async_write(socket, asio::buffer(then),
                               asio::redirect_error(asio::use_awaitable, ec));
  // Hold the connection until the client is done with it (it closes, or times out).
  std::uint8_t sink[1];
  co_await socket.async_read_some(asio::buffer(sink),
                                  asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> client(tcp::endpoint proxy, std::string host, std::uint16_t port,
                             Socks5Credentials credentials, std::size_t read_after, Outcome& out) {
  boost::beast::tcp_stream stream(co_await asio::this_coro::executor);
  co_await stream.async_connect(proxy, asio::use_awaitable);
  out.status =
      co_await socks5_connect(stream, host, port, credentials, std::chrono::milliseconds(2000));
  if (out.status.ok() && read_after > 0) {
    std::string buffer(read_after, '\0');
    boost::system::error_code ec;
    co_await asio::async_read(stream, asio::buffer(buffer),
                              asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) out.after = buffer;
  }
  stream.close();
}

Outcome run(std::vector<Step> steps, Bytes then, std::string host, Socks5Credentials credentials,
            std::size_t read_after = 0) {
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  Outcome out;
  asio::co_spawn(ioc,
                 scripted_proxy(acceptor, std::move(steps), std::move(then), out.proxy_saw_all),
                 asio::detached);
  asio::co_spawn(ioc, client(acceptor.local_endpoint(), host, 7400, credentials, read_after, out),
                 asio::detached);
  ioc.run_for(std::chrono::seconds(20));
  return out;
}

const Bytes connect_peer_host =
    join({{0x05, 0x01, 0x00, 0x03, 9}, text_bytes("peer.host"), {0x1c, 0xe8}});
const Bytes bound_v4 = {0x05, 0x00, 0x00, 0x01, 127, 0, 0, 1, 0x12, 0x34};

TEST_CASE("with credentials: username/password, CONNECT by name, then the peer's bytes",
          "[socks5]") {
  Outcome out =
      run({{{0x05, 0x02, 0x00, 0x02}, {0x05, 0x02}},
           {join({{0x01, 4}, text_bytes("user"), {7}, text_bytes("isolate")}), {0x01, 0x00}},
           {connect_peer_host, join({{0x05, 0x00, 0x00, 0x03, 4}, text_bytes("bind"), {0, 80}})}},
          text_bytes("peer-bytes"), "peer.host", {"user", "isolate"}, 10);
  CHECK(out.proxy_saw_all);
  REQUIRE(out.status.ok());
  CHECK(out.after == "peer-bytes");  // the bound address was read whole, nothing more
}

TEST_CASE("a proxy that wants no authentication may pick none though credentials are offered",
          "[socks5]") {
  Outcome out = run({{{0x05, 0x02, 0x00, 0x02}, {0x05, 0x00}},
                     {connect_peer_host, {0x05, 0x00, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0,
                                          0,    0,    0,    0,    0, 0, 0, 0, 1, 0, 80}}},
                    text_bytes("ok"), "peer.host", {"user", "isolate"}, 2);
  CHECK(out.proxy_saw_all);
  REQUIRE(out.status.ok());
  CHECK(out.after == "ok");
}

TEST_CASE("refusals are reported in words", "[socks5]") {
  SECTION("credentials refused") {
    Outcome out = run({{{0x05, 0x02, 0x00, 0x02}, {0x05, 0x02}},
                       {join({{0x01, 1}, text_bytes("u"), {1}, text_bytes("p")}), {0x01, 0x01}}},
                      {}, "peer.host", {"u", "p"});
    REQUIRE_FALSE(out.status.ok());
    CHECK(out.status.error().message.find("refused the username and password") !=
          std::string::npos);
  }
  SECTION("CONNECT refused with a reply code") {
    Outcome out = run({{{0x05, 0x01, 0x00}, {0x05, 0x00}},
                       {connect_peer_host, {0x05, 0x05, 0x00, 0x01, 0, 0, 0, 0, 0, 0}}},
                      {}, "peer.host", {});
    REQUIRE_FALSE(out.status.ok());
    CHECK(out.status.error().message ==
          "the host refused the proxy's connection (SOCKS5 reply 5: connection refused)");
  }
  SECTION("authentication wanted, none offered") {
    Outcome out = run({{{0x05, 0x01, 0x00}, {0x05, 0xff}}}, {}, "peer.host", {});
    REQUIRE_FALSE(out.status.ok());
    CHECK(out.status.error().message.find("wants authentication") != std::string::npos);
  }
  SECTION("not a SOCKS5 proxy") {
    Outcome out = run({{{0x05, 0x01, 0x00}, text_bytes("HT")}}, {}, "peer.host", {});
    REQUIRE_FALSE(out.status.ok());
    CHECK(out.status.error().message.find("does not speak SOCKS5") != std::string::npos);
  }
  SECTION("an unknown address type in the reply") {
    Outcome out =
        run({{{0x05, 0x01, 0x00}, {0x05, 0x00}}, {connect_peer_host, {0x05, 0x00, 0x00, 0x09}}}, {},
            "peer.host", {});
    REQUIRE_FALSE(out.status.ok());
    CHECK(out.status.error().message.find("unknown address type 9") != std::string::npos);
  }
  SECTION("a proxy that never answers") {
    Outcome out = run({{{0x05, 0x01, 0x00}, {}}}, {}, "peer.host", {});
    REQUIRE_FALSE(out.status.ok());
    CHECK(out.status.error().message.find("did not answer in time") != std::string::npos);
  }
}

}  // namespace
}  // namespace ifex
