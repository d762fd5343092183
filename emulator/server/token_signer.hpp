#pragma once
// TokenSigner: the emulator's own JWTs (HS256) for `serve --auth token`. The key is 32 random bytes
// in DATA_DIR/auth/token.key (mode 0600), made on first use, so `batchai-emulator token` and a
// running server on the same data dir agree. Header-only so that it needs no build-list change.
//   auto signer = TokenSigner::open(data_dir);   std::string jwt = signer->issue("sub-1", expires);
//   core::Result<TokenClaims> claims = signer->verify(jwt, now);   // 401 reasons as core::Error

#include "emulator/core/error.hpp"
#include "emulator/core/result.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <boost/json.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

namespace emu::server {

struct TokenClaims {
  std::string subscription;
  std::int64_t expires = 0;  // seconds since the Unix epoch (JWT "exp")
};

class TokenSigner {
 public:
  static constexpr std::string_view kIssuer = "batchai-emulator";

  // Reads DIR/auth/token.key, making it when missing.
  static core::Result<TokenSigner> open(const std::filesystem::path& data_dir) {
    namespace fs = std::filesystem;
    const fs::path dir = data_dir / "auth";
    const fs::path file = dir / "token.key";
    std::error_code ec;
    TokenSigner signer;
    if (fs::exists(file, ec)) {
      std::ifstream in(file, std::ios::binary);
      in.read(reinterpret_cast<char*>(signer.key_.data()), static_cast<std::streamsize>(signer.key_.size()));
      if (in.gcount() != static_cast<std::streamsize>(signer.key_.size())) {
        return core::Error::internal(fmt::format(
            "the token key {} is shorter than {} bytes; delete it to make a new one (tokens issued with "
            "it stop working)",
            file.string(), signer.key_.size()));
      }
      return signer;
    }
    fs::create_directories(dir, ec);
    if (ec) return core::Error::internal(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
    if (RAND_bytes(signer.key_.data(), static_cast<int>(signer.key_.size())) != 1)
      return core::Error::internal("OpenSSL could not make random bytes for the token key");
    // Written beside and renamed, so that a crash never leaves half a key.
    const fs::path partial = dir / "token.key.partial";
    {
      std::ofstream out(partial, std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(signer.key_.data()), static_cast<std::streamsize>(signer.key_.size()));
      if (!out) return core::Error::internal(fmt::format("cannot write {}", partial.string()));
    }
    ::chmod(partial.c_str(), 0600);
    fs::rename(partial, file, ec);
    if (ec) return core::Error::internal(fmt::format("cannot write {}: {}", file.string(), ec.message()));
    return signer;
  }

  std::string issue(std::string_view subscription, std::int64_t expires_unix_seconds) const {
    boost::json::object claims;
    claims["iss"] = kIssuer;
    claims["subscription"] = subscription;
    claims["exp"] = expires_unix_seconds;
    const std::string signing_input = base64url(R"({"alg":"HS256","typ":"JWT"})") + "." +
                                      base64url(boost::json::serialize(claims));
    return signing_input + "." + base64url(mac(signing_input));
  }

  // Errors carry the CloudError code ARM uses for bad bearer tokens and say what is wrong.
  core::Result<TokenClaims> verify(std::string_view token, std::int64_t now_unix_seconds) const {
    const std::size_t first = token.find('.');
    const std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
      return invalid("the bearer token is not a JWT (three base64url parts separated by dots)");
    std::string header_text, claims_text, signature;
    if (!unbase64url(token.substr(0, first), header_text) ||
        !unbase64url(token.substr(first + 1, second - first - 1), claims_text) ||
        !unbase64url(token.substr(second + 1), signature))
      return invalid("the bearer token has a part that is not base64url");
    boost::system::error_code ec;
    const boost::json::value header = boost::json::parse(header_text, ec);
    if (ec || !header.is_object()) return invalid("the bearer token's header is not a JSON object");
    const auto* alg = header.as_object().if_contains("alg");
    // Only our own algorithm: "none" or another one must never pass.
    if (alg == nullptr || !alg->is_string() || alg->as_string() != "HS256")
      return invalid("the bearer token is not signed with HS256 by this emulator");
    const std::string expected = mac(token.substr(0, second));
    if (signature.size() != expected.size() ||
        CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0)
      return invalid("the bearer token's signature does not match this emulator's key; get one with "
                     "'batchai-emulator token --subscription ID --data-dir DIR'");
    const boost::json::value claims = boost::json::parse(claims_text, ec);
    if (ec || !claims.is_object()) return invalid("the bearer token's claims are not a JSON object");
    const auto& object = claims.as_object();
    const auto* subscription = object.if_contains("subscription");
    const auto* exp = object.if_contains("exp");
    if (subscription == nullptr || !subscription->is_string() || subscription->as_string().empty())
      return invalid("the bearer token names no subscription");
    if (exp == nullptr || !exp->is_int64()) return invalid("the bearer token has no integer exp claim");
    if (exp->as_int64() <= now_unix_seconds) {
      return core::Error{core::ErrorKind::kUnauthorized, "ExpiredAuthenticationToken",
                         "the bearer token has expired; get a new one with 'batchai-emulator token'", {}};
    }
    return TokenClaims{std::string(subscription->as_string()), exp->as_int64()};
  }

 private:
  TokenSigner() = default;

  static core::Error invalid(std::string message) {
    return core::Error{core::ErrorKind::kUnauthorized, "InvalidAuthenticationToken", std::move(message), {}};
  }

  std::string mac(std::string_view data) const {
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    unsigned int length = 0;
    HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), out.data(), &length);
    return std::string(reinterpret_cast<const char*>(out.data()), length);
  }

  static std::string base64url(std::string_view bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const char c : bytes) {
      buffer = (buffer << 8) | static_cast<unsigned char>(c);
      bits += 8;
      while (bits >= 6) {
        bits -= 6;
        out.push_back(kAlphabet[(buffer >> bits) & 0x3F]);
      }
    }
    if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3F]);
    return out;
  }

  static bool unbase64url(std::string_view text, std::string& out) {
    out.clear();
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const char c : text) {
      int value = -1;
      if (c >= 'A' && c <= 'Z') value = c - 'A';
      else if (c >= 'a' && c <= 'z') value = c - 'a' + 26;
      else if (c >= '0' && c <= '9') value = c - '0' + 52;
      else if (c == '-') value = 62;
      else if (c == '_') value = 63;
      else return false;
      buffer = ((buffer << 6) | static_cast<std::uint32_t>(value)) & 0xFFFFFF;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
      }
    }
    return text.size() % 4 != 1;
  }

  std::array<unsigned char, 32> key_{};
};

}  // namespace emu::server
