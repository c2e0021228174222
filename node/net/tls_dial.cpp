#include "node/net/tls_dial.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "node/net/gossip_session_tls.hpp"

namespace ifex {

namespace asio = boost::asio;
namespace ssl = asio::ssl;

namespace {

std::string certificate_sha256(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert) return {};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  std::string out;
  if (X509_digest(cert, EVP_sha256(), digest, &size) == 1) {
    static constexpr char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < size; ++i) {
      out += digits[digest[i] >> 4];
      out += digits[digest[i] & 15];
    }
  }
  X509_free(cert);
  return out;
}

bool is_ip_address(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

// What went wrong, in the words an operator can act on: OpenSSL's verdict on the certificate
// when that was the cause, else the transport's.
std::string handshake_error(SSL* ssl, const boost::system::error_code& ec) {
  long verdict = SSL_get_verify_result(ssl);
  if (verdict != X509_V_OK)
    return std::string("certificate not trusted: ") + X509_verify_cert_error_string(verdict);
  return ec.message();
}

}  // namespace

asio::awaitable<SessionEnded> run_tls_outbound(NetContext& ctx, boost::beast::tcp_stream stream,
                                               const PeerUrl& url, const PeerTlsTrust& trust,
                                               PublicKey expected,
                                               std::chrono::milliseconds handshake_timeout) {
  SessionEnded failed;
  // TLS 1.2 and 1.3 only, as the server (node/net/tls_server_context.cpp).
  ssl::context context(ssl::context::tls_client);
  boost::system::error_code ec;
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                          ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                          ssl::context::no_tlsv1_1,
                      ec);
  const bool pinned = !trust.certificate_sha256.empty();
  if (pinned) {
    // A pinned certificate is compared whole after the handshake; no CA has a say in it.
    context.set_verify_mode(ssl::verify_none);
  } else {
    context.set_verify_mode(ssl::verify_peer);
    if (!trust.ca_pem.empty())
      context.add_certificate_authority(asio::buffer(trust.ca_pem), ec);
    else
      context.set_default_verify_paths(ec);
    if (ec) {
      failed.reason = "TLS: cannot load the trusted CAs: " + ec.message();
      co_return failed;
    }
  }
  TlsStream tls(std::move(stream), context);
  // SNI for a name (a CDN or a proxy picks the site by it); never for an address (RFC 6066).
  if (!is_ip_address(url.host)) SSL_set_tlsext_host_name(tls.native_handle(), url.host.c_str());
  if (!pinned) tls.set_verify_callback(ssl::host_name_verification(url.host), ec);
  boost::beast::get_lowest_layer(tls).expires_after(handshake_timeout);
  co_await tls.async_handshake(ssl::stream_base::client,
                               asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    failed.reason = "TLS handshake with " + url.host + " failed: " +
                    handshake_error(tls.native_handle(), ec);
    co_return failed;
  }
  if (pinned) {
    std::string seen = certificate_sha256(tls.native_handle());
    if (seen != trust.certificate_sha256) {
      failed.reason = "TLS: the certificate of " + url.host + " is not the pinned one (it has "
                      "SHA-256 " + (seen.empty() ? std::string("none") : seen) + ")";
      co_return failed;
    }
  }
  co_return co_await gossip::run_outbound(ctx, std::move(tls),
                                          url.host + ":" + std::to_string(url.port), url.path,
                                          expected, url.text());
}

}  // namespace ifex
