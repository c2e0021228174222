// The certificate the node serves TLS with (`[tls] cert_file`, `key_file`), swapped whole on
// SIGHUP so that a renewal (Let's Encrypt every 60-90 days) needs no restart. A reload that
// fails keeps the certificate in use: a broken renewal must not take the node off the air.
//
// Thread safety: current() and reload() may be called from any thread; each connection takes
// the context in use when it starts and keeps it (OpenSSL counts the references).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "keys/result.hpp"
#include "node/base/thread_annotations.hpp"

namespace boost::asio::ssl {
class context;
}

namespace ifex {

struct TlsCertificateFacts {
  std::string subject;       // the certificate's subject, as OpenSSL prints it in one line
  std::int64_t not_after_s = 0;  // Unix time after which it is no longer valid
  std::string sha256;        // 64 lowercase hex digits of the DER certificate
};

// Reads a PEM certificate's first certificate; errors name the file.
Result<TlsCertificateFacts> read_certificate_facts(const std::filesystem::path& cert_file);

class TlsServerContext {
 public:
  // Loads both files; an error names the file and what is wrong with it.
  static Result<std::unique_ptr<TlsServerContext>> load(std::filesystem::path cert_file,
                                                        std::filesystem::path key_file);
  ~TlsServerContext();

  std::shared_ptr<boost::asio::ssl::context> current() const;
  TlsCertificateFacts facts() const;
  // Reads the files again; on error the certificate in use stays and the error is returned.
  Status reload();

 private:
  TlsServerContext(std::filesystem::path cert_file, std::filesystem::path key_file);
  std::filesystem::path cert_file_, key_file_;
  mutable Mutex mutex_;
  std::shared_ptr<boost::asio::ssl::context> context_ GUARDED_BY(mutex_);
  TlsCertificateFacts facts_ GUARDED_BY(mutex_);
};

}  // namespace ifex
