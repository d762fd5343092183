#pragma once
// TlsMaterial: the certificate files the HTTPS listener serves. At first start it makes a private CA
// and a server certificate signed by it in <data_dir>/tls/ (so SDKs can verify against ca.pem), and
// reuses them later, renewing the server certificate when it expires or lacks the --host name.
//   auto tls = TlsMaterial::ensure(data_dir / "tls", "127.0.0.1");
//   if (!tls) fail(tls.error());  else serve(tls->cert_file(), tls->key_file()), print(tls->ca_file());

#include "emulator/core/result.hpp"

#include <chrono>
#include <filesystem>
#include <string_view>

namespace emu::server {

class TlsMaterial {
 public:
  using Clock = std::chrono::system_clock;

  // Files in `dir`: ca.pem, ca-key.pem (0600), server.pem, server-key.pem (0600). The server
  // certificate names DNS:localhost, IP:127.0.0.1, IP:::1 and `host` (unless it is a wildcard
  // address such as 0.0.0.0). A file that exists but cannot be read or parsed is an error naming it
  // (it is never overwritten: a user may have trusted that CA); missing files are made. `now` is the
  // wall clock, injectable so tests can make certificates that are already expired.
  static core::Result<TlsMaterial> ensure(const std::filesystem::path& dir, std::string_view host,
                                          Clock::time_point now = Clock::now());

  // --cert/--key: the given PEM certificate chain and private key, checked to belong together.
  static core::Result<TlsMaterial> from_files(const std::filesystem::path& cert_file,
                                              const std::filesystem::path& key_file);

  // What clients should trust: ca.pem, or the --cert file itself.
  const std::filesystem::path& ca_file() const { return ca_file_; }
  const std::filesystem::path& cert_file() const { return cert_file_; }
  const std::filesystem::path& key_file() const { return key_file_; }
  // What ensure() had to do, for the start-up log.
  bool created_ca() const { return created_ca_; }
  bool created_server_certificate() const { return created_server_certificate_; }

 private:
  std::filesystem::path ca_file_;
  std::filesystem::path cert_file_;
  std::filesystem::path key_file_;
  bool created_ca_ = false;
  bool created_server_certificate_ = false;
};

}  // namespace emu::server
