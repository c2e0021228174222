#include "node/net/tls_server_context.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>
#include <cstdio>

namespace ifex {

namespace ssl = boost::asio::ssl;

namespace {

std::string openssl_error() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

std::string hex(const unsigned char* data, unsigned size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

// Servers and clients of this node speak TLS 1.2 and 1.3 only.
constexpr long modern_only = ssl::context::default_workarounds | ssl::context::no_sslv2 |
                             ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                             ssl::context::no_tlsv1_1 | ssl::context::single_dh_use;

Result<std::shared_ptr<ssl::context>> make_context(const std::filesystem::path& cert_file,
                                                   const std::filesystem::path& key_file) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  context->set_options(modern_only, ec);
  context->use_certificate_chain_file(cert_file.string(), ec);
  if (ec)
    return make_error("tls_certificate", "cannot use the TLS certificate " + cert_file.string() +
                                             ": " + ec.message() +
                                             " (expected PEM: the certificate, then its chain)");
  context->use_private_key_file(key_file.string(), ssl::context::pem, ec);
  if (ec)
    return make_error("tls_key", "cannot use the TLS key " + key_file.string() + ": " +
                                     ec.message() + " (expected an unencrypted PEM key)");
  if (SSL_CTX_check_private_key(context->native_handle()) != 1)
    return make_error("tls_key", "the TLS key " + key_file.string() +
                                     " does not belong to the certificate " + cert_file.string() +
                                     ": " + openssl_error());
  return context;
}

}  // namespace

Result<TlsCertificateFacts> read_certificate_facts(const std::filesystem::path& cert_file) {
  std::FILE* file = std::fopen(cert_file.c_str(), "re");
  if (!file)
    return make_error("tls_certificate", "cannot read the TLS certificate " + cert_file.string());
  X509* cert = PEM_read_X509(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  if (!cert)
    return make_error("tls_certificate", "no PEM certificate in " + cert_file.string() + ": " +
                                             openssl_error());
  TlsCertificateFacts facts;
  char subject[512];
  X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
  facts.subject = subject;
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1) facts.not_after_s = timegm(&tm);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &size) == 1) facts.sha256 = hex(digest, size);
  X509_free(cert);
  return facts;
}

TlsServerContext::TlsServerContext(std::filesystem::path cert_file, std::filesystem::path key_file)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)) {}

TlsServerContext::~TlsServerContext() = default;

Result<std::unique_ptr<TlsServerContext>> TlsServerContext::load(std::filesystem::path cert_file,
                                                                 std::filesystem::path key_file) {
  std::unique_ptr<TlsServerContext> out(
      new TlsServerContext(std::move(cert_file), std::move(key_file)));
  if (auto st = out->reload(); !st) return st.error();
  return out;
}

std::shared_ptr<ssl::context> TlsServerContext::current() const {
  MutexLock lock(mutex_);
  return context_;
}

TlsCertificateFacts TlsServerContext::facts() const {
  MutexLock lock(mutex_);
  return facts_;
}

Status TlsServerContext::reload() {
  auto context = make_context(cert_file_, key_file_);
  if (!context) return context.error();
  auto facts = read_certificate_facts(cert_file_);
  if (!facts) return facts.error();
  MutexLock lock(mutex_);
  // Connections that started with the old context keep it alive through their own reference
  // (the SSL object holds one on the SSL_CTX; no callback of ours lives in the context).
  context_ = std::move(*context);
  facts_ = std::move(*facts);
  return Status::success();
}

}  // namespace ifex
