#include "emulator/server/tls_material.hpp"
#include "emulator/server/temporary_directory.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

namespace emu::server {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
using CertPtr = std::unique_ptr<X509, X509Free>;

CertPtr load(const fs::path& path) {
  std::FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) return nullptr;
  CertPtr cert(PEM_read_X509(file, nullptr, nullptr, nullptr));
  std::fclose(file);
  return cert;
}

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

unsigned mode_of(const fs::path& path) {
  struct stat info {};
  ::stat(path.c_str(), &info);
  return info.st_mode & 0777;
}

// Verifies `leaf` against `ca` as a TLS server certificate for `host` (an IP literal or a name).
bool verifies(X509* leaf, X509* ca, const std::string& host, bool is_ip) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* context = X509_STORE_CTX_new();
  X509_STORE_CTX_init(context, store, leaf, nullptr);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(context);
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
  if (is_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  }
  const bool ok = X509_verify_cert(context) == 1;
  X509_STORE_CTX_free(context);
  X509_STORE_free(store);
  return ok;
}

class TlsMaterialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TemporaryDirectory::create("tls-material-test");
    ASSERT_TRUE(dir) << dir.error().message;
    dir_.emplace(std::move(*dir));
  }
  fs::path tls_dir() const { return dir_->path() / "tls"; }

  std::optional<TemporaryDirectory> dir_;
};

TEST_F(TlsMaterialTest, FirstStartMakesCaAndServerCertificateThatVerify) {
  auto tls = TlsMaterial::ensure(tls_dir(), "127.0.0.1");
  ASSERT_TRUE(tls) << tls.error().message;
  EXPECT_TRUE(tls->created_ca());
  EXPECT_TRUE(tls->created_server_certificate());
  EXPECT_EQ(tls->ca_file(), tls_dir() / "ca.pem");
  EXPECT_EQ(tls->cert_file(), tls_dir() / "server.pem");
  EXPECT_EQ(tls->key_file(), tls_dir() / "server-key.pem");
  EXPECT_TRUE(fs::exists(tls_dir() / "ca-key.pem"));
  EXPECT_EQ(mode_of(tls_dir() / "ca-key.pem"), 0600u);
  EXPECT_EQ(mode_of(tls_dir() / "server-key.pem"), 0600u);

  CertPtr ca = load(tls->ca_file());
  CertPtr leaf = load(tls->cert_file());
  ASSERT_TRUE(ca && leaf);
  EXPECT_TRUE(verifies(leaf.get(), ca.get(), "localhost", false));
  EXPECT_TRUE(verifies(leaf.get(), ca.get(), "127.0.0.1", true));
  EXPECT_TRUE(verifies(leaf.get(), ca.get(), "::1", true));
  EXPECT_FALSE(verifies(leaf.get(), ca.get(), "example.com", false));
  EXPECT_FALSE(verifies(leaf.get(), ca.get(), "10.1.2.3", true));

  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_EQ(X509_check_ca(leaf.get()), 0);
  EXPECT_EQ(X509_get_signature_nid(leaf.get()), NID_ecdsa_with_SHA256);
  EXPECT_NE(X509_get0_subject_key_id(ca.get()), nullptr);
  EXPECT_NE(X509_get0_authority_key_id(leaf.get()), nullptr);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(X509_get0_subject_key_id(ca.get()), X509_get0_authority_key_id(leaf.get())),
            0);
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(ca.get()), X509_get0_serialNumber(leaf.get())), 0);
  // Valid a little before now (clock skew) and for years.
  const std::time_t now = std::time(nullptr);
  std::time_t soon = now + 365L * 24 * 3600;
  std::time_t before = now - 60;
  EXPECT_LT(X509_cmp_time(X509_get0_notBefore(leaf.get()), &before), 0);
  EXPECT_GT(X509_cmp_time(X509_get0_notAfter(leaf.get()), &soon), 0);
  EXPECT_GT(X509_cmp_time(X509_get0_notAfter(ca.get()), &soon), 0);
}

TEST_F(TlsMaterialTest, LaterStartsReuseTheFiles) {
  auto first = TlsMaterial::ensure(tls_dir(), "127.0.0.1");
  ASSERT_TRUE(first) << first.error().message;
  const std::string ca = read(first->ca_file());
  const std::string cert = read(first->cert_file());
  auto second = TlsMaterial::ensure(tls_dir(), "localhost");
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_FALSE(second->created_ca());
  EXPECT_FALSE(second->created_server_certificate());
  EXPECT_EQ(read(second->ca_file()), ca);
  EXPECT_EQ(read(second->cert_file()), cert);
}

TEST_F(TlsMaterialTest, AnotherHostRenewsOnlyTheServerCertificate) {
  auto first = TlsMaterial::ensure(tls_dir(), "127.0.0.1");
  ASSERT_TRUE(first);
  const std::string ca = read(first->ca_file());
  auto second = TlsMaterial::ensure(tls_dir(), "emulator.test");
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_FALSE(second->created_ca());
  EXPECT_TRUE(second->created_server_certificate());
  EXPECT_EQ(read(second->ca_file()), ca);
  CertPtr ca_cert = load(second->ca_file());
  CertPtr leaf = load(second->cert_file());
  EXPECT_TRUE(verifies(leaf.get(), ca_cert.get(), "emulator.test", false));
  EXPECT_TRUE(verifies(leaf.get(), ca_cert.get(), "localhost", false));

  auto by_address = TlsMaterial::ensure(tls_dir(), "10.20.30.40");
  ASSERT_TRUE(by_address);
  leaf = load(by_address->cert_file());
  EXPECT_TRUE(verifies(leaf.get(), ca_cert.get(), "10.20.30.40", true));
  // A wildcard bind address is no name to verify; nothing is added for it.
  auto wildcard = TlsMaterial::ensure(tls_dir(), "0.0.0.0");
  ASSERT_TRUE(wildcard);
  EXPECT_FALSE(wildcard->created_server_certificate());
}

TEST_F(TlsMaterialTest, ExpiredServerCertificateIsRenewed) {
  const auto long_ago = TlsMaterial::Clock::now() - std::chrono::hours(24 * 900);
  auto old = TlsMaterial::ensure(tls_dir(), "127.0.0.1", long_ago);
  ASSERT_TRUE(old) << old.error().message;
  const std::string ca = read(old->ca_file());
  auto renewed = TlsMaterial::ensure(tls_dir(), "127.0.0.1");
  ASSERT_TRUE(renewed) << renewed.error().message;
  EXPECT_FALSE(renewed->created_ca()) << "the CA is still valid and must be kept";
  EXPECT_TRUE(renewed->created_server_certificate());
  EXPECT_EQ(read(renewed->ca_file()), ca);
  CertPtr ca_cert = load(renewed->ca_file());
  CertPtr leaf = load(renewed->cert_file());
  EXPECT_TRUE(verifies(leaf.get(), ca_cert.get(), "127.0.0.1", true));
}

TEST_F(TlsMaterialTest, ExpiredCaIsRenewedWithItsServerCertificate) {
  const auto long_ago = TlsMaterial::Clock::now() - std::chrono::hours(24 * 3700);
  ASSERT_TRUE(TlsMaterial::ensure(tls_dir(), "127.0.0.1", long_ago));
  auto renewed = TlsMaterial::ensure(tls_dir(), "127.0.0.1");
  ASSERT_TRUE(renewed);
  EXPECT_TRUE(renewed->created_ca());
  EXPECT_TRUE(renewed->created_server_certificate());
  CertPtr ca_cert = load(renewed->ca_file());
  CertPtr leaf = load(renewed->cert_file());
  EXPECT_TRUE(verifies(leaf.get(), ca_cert.get(), "localhost", false));
}

TEST_F(TlsMaterialTest, MissingServerFilesAreRemade) {
  ASSERT_TRUE(TlsMaterial::ensure(tls_dir(), "127.0.0.1"));
  fs::remove(tls_dir() / "server-key.pem");
  auto again = TlsMaterial::ensure(tls_dir(), "127.0.0.1");
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created_ca());
  EXPECT_TRUE(again->created_server_certificate());
  EXPECT_TRUE(fs::exists(tls_dir() / "server-key.pem"));
}

TEST_F(TlsMaterialTest, CorruptCaIsAnErrorNamingTheFileAndIsNotOverwritten) {
  ASSERT_TRUE(TlsMaterial::ensure(tls_dir(), "127.0.0.1"));
  write(tls_dir() / "ca.pem", "not a certificate");
  auto result = TlsMaterial::ensure(tls_dir(), "127.0.0.1");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "TlsMaterialError");
  EXPECT_NE(result.error().message.find((tls_dir() / "ca.pem").string()), std::string::npos)
      << result.error().message;
  EXPECT_EQ(read(tls_dir() / "ca.pem"), "not a certificate");
}

TEST_F(TlsMaterialTest, UnwritableFolderIsAnErrorNamingIt) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes anywhere; permissions cannot make this fail";
  fs::create_directories(tls_dir());
  fs::permissions(tls_dir(), fs::perms::owner_read | fs::perms::owner_exec);
  auto result = TlsMaterial::ensure(tls_dir(), "127.0.0.1");
  fs::permissions(tls_dir(), fs::perms::owner_all);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find(tls_dir().string()), std::string::npos) << result.error().message;
}

TEST_F(TlsMaterialTest, FolderThatIsAFileIsAnErrorNamingIt) {
  write(dir_->path() / "tls", "a file, not a folder");
  auto result = TlsMaterial::ensure(tls_dir(), "127.0.0.1");
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find(tls_dir().string()), std::string::npos) << result.error().message;
}

TEST_F(TlsMaterialTest, GivenFilesAreCheckedAndTheCertIsTheCa) {
  auto made = TlsMaterial::ensure(tls_dir(), "127.0.0.1");
  ASSERT_TRUE(made);
  auto given = TlsMaterial::from_files(made->cert_file(), made->key_file());
  ASSERT_TRUE(given) << given.error().message;
  EXPECT_EQ(given->ca_file(), made->cert_file());
  EXPECT_EQ(given->cert_file(), made->cert_file());
  EXPECT_EQ(given->key_file(), made->key_file());

  auto mismatched = TlsMaterial::from_files(made->cert_file(), tls_dir() / "ca-key.pem");
  ASSERT_FALSE(mismatched);
  EXPECT_NE(mismatched.error().message.find("does not match"), std::string::npos)
      << mismatched.error().message;

  auto missing = TlsMaterial::from_files(dir_->path() / "nope.pem", made->key_file());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("nope.pem"), std::string::npos) << missing.error().message;

  write(dir_->path() / "garbage.pem", "garbage");
  auto garbage = TlsMaterial::from_files(made->cert_file(), dir_->path() / "garbage.pem");
  ASSERT_FALSE(garbage);
  EXPECT_NE(garbage.error().message.find("garbage.pem"), std::string::npos) << garbage.error().message;
}

}  // namespace
}  // namespace emu::server
