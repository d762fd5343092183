#include "emulator/server/tls_material.hpp"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace emu::server {

namespace {

namespace fs = std::filesystem;

template <auto Free>
struct OpenSslFree {
  template <typename T>
  void operator()(T* pointer) const {
    Free(pointer);
  }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, OpenSslFree<X509_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslFree<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslFree<BN_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpenSslFree<X509_EXTENSION_free>>;

constexpr std::string_view kCaFile = "ca.pem";
constexpr std::string_view kCaKeyFile = "ca-key.pem";
constexpr std::string_view kServerFile = "server.pem";
constexpr std::string_view kServerKeyFile = "server-key.pem";

// Clients accept a certificate that starts a little before their own clock; an hour covers skew.
constexpr long kBackdateSeconds = 60L * 60;
constexpr int kCaValidDays = 10 * 365;
// Apple platforms refuse TLS server certificates valid longer than 825 days, even from private CAs.
constexpr int kServerValidDays = 825;
// Renew before the end so a long-running emulator does not start failing mid-session.
constexpr long kRenewBeforeSeconds = 30L * 24 * 60 * 60;

// The OpenSSL error queue as one line (and emptied, so the next failure starts clean).
std::string openssl_reason() {
  std::string reason;
  while (const unsigned long code = ERR_get_error()) {
    std::array<char, 256> text{};
    ERR_error_string_n(code, text.data(), text.size());
    if (!reason.empty()) reason += "; ";
    reason += text.data();
  }
  return reason.empty() ? std::string("unknown OpenSSL error") : reason;
}

core::Error tls_error(std::string message) {
  return core::Error{core::ErrorKind::kInternal, "TlsMaterialError", std::move(message), {}};
}

core::Error openssl_error(std::string_view what) {
  return tls_error(fmt::format("{}: {}", what, openssl_reason()));
}

// nullopt when the file does not exist; an error when it exists but cannot be read.
core::Result<std::optional<std::string>> read_if_exists(const fs::path& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    if (errno == ENOENT) return std::optional<std::string>();
    return tls_error(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
  }
  std::string content;
  std::array<char, 4096> chunk{};
  std::size_t got = 0;
  while ((got = std::fread(chunk.data(), 1, chunk.size(), file)) > 0) content.append(chunk.data(), got);
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) return tls_error(fmt::format("cannot read {}: read error", path.string()));
  return std::optional<std::string>(std::move(content));
}

core::Result<std::string> read_required(const fs::path& path) {
  auto content = read_if_exists(path);
  if (!content) return std::move(content).error();
  if (!content->has_value()) return tls_error(fmt::format("cannot read {}: no such file", path.string()));
  return std::move(**content);
}

// Written beside the target and renamed over it, so a crash never leaves half a key behind.
core::Result<void> write_atomically(const fs::path& path, std::string_view content, mode_t mode) {
  const fs::path temporary = fs::path(path).concat(fmt::format(".tmp{}", ::getpid()));
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return tls_error(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
  // open() applies the umask; keys must end up exactly 0600 whatever it is.
  bool ok = ::fchmod(fd, mode) == 0;
  std::size_t done = 0;
  while (ok && done < content.size()) {
    const ssize_t written = ::write(fd, content.data() + done, content.size() - done);
    if (written < 0 && errno == EINTR) continue;
    ok = written > 0;
    if (ok) done += static_cast<std::size_t>(written);
  }
  ok = ok && ::fsync(fd) == 0;
  const int saved_errno = errno;
  ::close(fd);
  if (!ok || std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = ok ? errno : saved_errno;
    std::error_code ignored;
    fs::remove(temporary, ignored);
    return tls_error(fmt::format("cannot write {}: {}", path.string(), std::strerror(error)));
  }
  return {};
}

BioPtr memory_bio(std::string_view content) {
  return BioPtr(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
}

core::Result<CertPtr> parse_certificate(const fs::path& path, std::string_view pem) {
  BioPtr bio = memory_bio(pem);
  CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    return tls_error(
        fmt::format("{} is not a PEM certificate ({}); fix or remove it", path.string(), openssl_reason()));
  }
  return cert;
}

core::Result<KeyPtr> parse_key(const fs::path& path, std::string_view pem) {
  BioPtr bio = memory_bio(pem);
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    return tls_error(fmt::format("{} is not an unencrypted PEM private key ({}); fix or remove it",
                                 path.string(), openssl_reason()));
  }
  return key;
}

template <typename Write>
core::Result<std::string> to_pem(Write write, std::string_view what) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) return openssl_error(fmt::format("cannot encode the {}", what));
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

core::Result<void> save_key(const fs::path& path, EVP_PKEY* key) {
  auto pem = to_pem(
      [key](BIO* bio) { return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr); },
      "private key");
  if (!pem) return std::move(pem).error();
  return write_atomically(path, *pem, 0600);
}

core::Result<void> save_certificate(const fs::path& path, X509* cert) {
  auto pem = to_pem([cert](BIO* bio) { return PEM_write_bio_X509(bio, cert); }, "certificate");
  if (!pem) return std::move(pem).error();
  return write_atomically(path, *pem, 0644);
}

// ECDSA P-256: every TLS client supports it and it is generated in microseconds, unlike RSA.
core::Result<KeyPtr> generate_key() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return openssl_error("cannot generate a P-256 key");
  return key;
}

core::Result<void> add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
  if (!extension || X509_add_ext(cert, extension.get(), -1) != 1) {
    return openssl_error(fmt::format("cannot add the {} extension '{}'", OBJ_nid2sn(nid), value));
  }
  return {};
}

struct CertificateSpec {
  std::string common_name;
  bool is_ca = false;
  std::string subject_alt_names;  // "DNS:localhost,IP:127.0.0.1", server certificates only
  int valid_days = 0;
};

// Signs with `issuer_key`; a null `issuer` makes the certificate self-signed.
core::Result<CertPtr> make_certificate(const CertificateSpec& spec, EVP_PKEY* subject_key, X509* issuer,
                                       EVP_PKEY* issuer_key, std::time_t now) {
  CertPtr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1)
    return openssl_error("cannot make a certificate");

  // 159 random bits: positive, unique, and within the 20 bytes RFC 5280 allows.
  BignumPtr serial(BN_new());
  if (!serial || BN_rand(serial.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return openssl_error("cannot make a certificate serial number");
  }
  if (ASN1_TIME_adj(X509_getm_notBefore(cert.get()), now, 0, -kBackdateSeconds) == nullptr ||
      ASN1_TIME_adj(X509_getm_notAfter(cert.get()), now, spec.valid_days, 0) == nullptr) {
    return openssl_error("cannot set the certificate validity");
  }

  X509_NAME* name = X509_get_subject_name(cert.get());
  const auto* organization = reinterpret_cast<const unsigned char*>("batchai-emulator");
  const auto* common_name = reinterpret_cast<const unsigned char*>(spec.common_name.c_str());
  if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, organization, -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, common_name, -1, -1, 0) != 1) {
    return openssl_error("cannot set the certificate subject");
  }
  X509* signer = issuer != nullptr ? issuer : cert.get();
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) != 1 ||
      X509_set_pubkey(cert.get(), subject_key) != 1) {
    return openssl_error("cannot set the certificate issuer and key");
  }

  // The subject key identifier goes first: the self-signed CA's authority key identifier copies it.
  const char* basic_constraints = spec.is_ca ? "critical,CA:TRUE,pathlen:0" : "critical,CA:FALSE";
  const char* key_usage =
      spec.is_ca ? "critical,keyCertSign,cRLSign,digitalSignature" : "critical,digitalSignature";
  for (auto [nid, value] :
       std::initializer_list<std::pair<int, const char*>>{{NID_basic_constraints, basic_constraints},
                                                          {NID_key_usage, key_usage},
                                                          {NID_subject_key_identifier, "hash"},
                                                          {NID_authority_key_identifier, "keyid:always"}}) {
    if (auto added = add_extension(cert.get(), signer, nid, value); !added) return std::move(added).error();
  }
  if (!spec.is_ca) {
    for (auto [nid, value] : std::initializer_list<std::pair<int, const char*>>{
             {NID_ext_key_usage, "serverAuth"}, {NID_subject_alt_name, spec.subject_alt_names.c_str()}}) {
      if (auto added = add_extension(cert.get(), signer, nid, value); !added) return std::move(added).error();
    }
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0)
    return openssl_error("cannot sign the certificate");
  return cert;
}

// An IP literal (zone id dropped) or a DNS name for the SAN; nothing for wildcard binds.
struct HostName {
  bool is_ip = false;
  std::string text;
};
std::optional<HostName> host_name(std::string_view host) {
  std::string text(host.substr(0, host.find('%')));
  std::array<unsigned char, 16> address{};
  if (::inet_pton(AF_INET, text.c_str(), address.data()) == 1) {
    if (text == "0.0.0.0") return std::nullopt;
    return HostName{true, text};
  }
  if (::inet_pton(AF_INET6, text.c_str(), address.data()) == 1) {
    if (std::all_of(address.begin(), address.end(), [](unsigned char b) { return b == 0; }))
      return std::nullopt;
    return HostName{true, text};
  }
  if (text.empty()) return std::nullopt;
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return HostName{false, text};
}

std::vector<HostName> required_names(std::string_view host) {
  std::vector<HostName> names{{false, "localhost"}, {true, "127.0.0.1"}, {true, "::1"}};
  if (auto extra = host_name(host)) {
    const bool known = std::any_of(names.begin(), names.end(), [&](const HostName& n) {
      return n.is_ip == extra->is_ip && n.text == extra->text;
    });
    if (!known) names.push_back(*extra);
  }
  return names;
}

std::string subject_alt_names(const std::vector<HostName>& names) {
  std::string text;
  for (const HostName& name : names) {
    if (!text.empty()) text += ',';
    text += name.is_ip ? "IP:" : "DNS:";
    text += name.text;
  }
  return text;
}

bool names_present(X509* cert, const std::vector<HostName>& names) {
  for (const HostName& name : names) {
    const int found = name.is_ip ? X509_check_ip_asc(cert, name.text.c_str(), 0)
                                 : X509_check_host(cert, name.text.data(), name.text.size(),
                                                   X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, nullptr);
    if (found != 1) return false;
  }
  return true;
}

// True when the certificate is valid now and stays valid for the renewal margin.
bool valid_for_a_while(X509* cert, std::time_t now) {
  std::time_t later = now + kRenewBeforeSeconds;
  std::time_t current = now;
  return X509_cmp_time(X509_get0_notBefore(cert), &current) < 0 &&
         X509_cmp_time(X509_get0_notAfter(cert), &later) > 0;
}

struct LoadedPair {
  CertPtr cert;
  KeyPtr key;
};

// nullopt when either file is missing (so the pair is made anew); an error when one is unusable.
core::Result<std::optional<LoadedPair>> load_pair(const fs::path& cert_path, const fs::path& key_path) {
  auto cert_pem = read_if_exists(cert_path);
  if (!cert_pem) return std::move(cert_pem).error();
  auto key_pem = read_if_exists(key_path);
  if (!key_pem) return std::move(key_pem).error();
  if (!cert_pem->has_value() || !key_pem->has_value()) return std::optional<LoadedPair>();
  auto cert = parse_certificate(cert_path, **cert_pem);
  if (!cert) return std::move(cert).error();
  auto key = parse_key(key_path, **key_pem);
  if (!key) return std::move(key).error();
  return std::optional<LoadedPair>(LoadedPair{std::move(*cert), std::move(*key)});
}

core::Result<void> make_directory(const fs::path& dir) {
  std::error_code error;
  if (fs::is_directory(dir, error)) return {};
  fs::create_directories(dir, error);
  if (error) return tls_error(fmt::format("cannot create {}: {}", dir.string(), error.message()));
  // Only the owner needs to list the key files.
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, error);
  return {};
}

}  // namespace

core::Result<TlsMaterial> TlsMaterial::ensure(const fs::path& dir, std::string_view host,
                                              Clock::time_point now) {
  ERR_clear_error();
  const std::time_t now_seconds = Clock::to_time_t(now);
  if (auto made = make_directory(dir); !made) return std::move(made).error();

  TlsMaterial material;
  material.ca_file_ = dir / kCaFile;
  material.cert_file_ = dir / kServerFile;
  material.key_file_ = dir / kServerKeyFile;
  const fs::path ca_key_file = dir / kCaKeyFile;

  auto ca = load_pair(material.ca_file_, ca_key_file);
  if (!ca) return std::move(ca).error();
  if (ca->has_value()) {
    if (X509_check_private_key((*ca)->cert.get(), (*ca)->key.get()) != 1) {
      ERR_clear_error();
      return tls_error(
          fmt::format("{} does not belong to {}; restore the matching pair or remove both to make a new CA",
                      ca_key_file.string(), material.ca_file_.string()));
    }
    if (!valid_for_a_while((*ca)->cert.get(), now_seconds)) ca->reset();  // expired or expiring: renew
  }
  if (!ca->has_value()) {
    auto key = generate_key();
    if (!key) return std::move(key).error();
    // A random tag in the name keeps two installations' CAs apart in a trust store.
    std::array<unsigned char, 4> tag{};
    if (RAND_bytes(tag.data(), static_cast<int>(tag.size())) != 1)
      return openssl_error("cannot draw random bytes");
    const CertificateSpec spec{
        fmt::format("batchai-emulator local CA {:02x}{:02x}{:02x}{:02x}", tag[0], tag[1], tag[2], tag[3]),
        true,
        {},
        kCaValidDays};
    auto cert = make_certificate(spec, key->get(), nullptr, key->get(), now_seconds);
    if (!cert) return std::move(cert).error();
    if (auto saved = save_key(ca_key_file, key->get()); !saved) return std::move(saved).error();
    if (auto saved = save_certificate(material.ca_file_, cert->get()); !saved)
      return std::move(saved).error();
    ca->emplace(LoadedPair{std::move(*cert), std::move(*key)});
    material.created_ca_ = true;
  }
  X509* ca_cert = (*ca)->cert.get();
  EVP_PKEY* ca_key = (*ca)->key.get();

  const std::vector<HostName> names = required_names(host);
  auto server = load_pair(material.cert_file_, material.key_file_);
  if (!server) return std::move(server).error();
  bool usable = server->has_value();
  if (usable) {
    X509* cert = (*server)->cert.get();
    usable = !material.created_ca_ && X509_verify(cert, ca_key) == 1 &&
             X509_check_private_key(cert, (*server)->key.get()) == 1 &&
             valid_for_a_while(cert, now_seconds) && names_present(cert, names);
    ERR_clear_error();
  }
  if (!usable) {
    auto key = generate_key();
    if (!key) return std::move(key).error();
    const CertificateSpec spec{"localhost", false, subject_alt_names(names), kServerValidDays};
    auto cert = make_certificate(spec, key->get(), ca_cert, ca_key, now_seconds);
    if (!cert) return std::move(cert).error();
    if (auto saved = save_key(material.key_file_, key->get()); !saved) return std::move(saved).error();
    if (auto saved = save_certificate(material.cert_file_, cert->get()); !saved)
      return std::move(saved).error();
    material.created_server_certificate_ = true;
  }
  return material;
}

core::Result<TlsMaterial> TlsMaterial::from_files(const fs::path& cert_file, const fs::path& key_file) {
  ERR_clear_error();
  auto cert_pem = read_required(cert_file);
  if (!cert_pem) return std::move(cert_pem).error();
  auto key_pem = read_required(key_file);
  if (!key_pem) return std::move(key_pem).error();
  auto cert = parse_certificate(cert_file, *cert_pem);
  if (!cert) return std::move(cert).error();
  auto key = parse_key(key_file, *key_pem);
  if (!key) return std::move(key).error();
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    ERR_clear_error();
    return tls_error(
        fmt::format("the key in {} does not match the certificate in {}; pass the key made with that "
                    "certificate",
                    key_file.string(), cert_file.string()));
  }
  TlsMaterial material;
  material.ca_file_ = cert_file;
  material.cert_file_ = cert_file;
  material.key_file_ = key_file;
  return material;
}

}  // namespace emu::server
