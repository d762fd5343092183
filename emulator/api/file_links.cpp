#include "emulator/api/file_links.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

namespace emu::api {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(std::string_view bytes) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3f];
  return out;
}

bool unbase64url(std::string_view text, std::string& out) {
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const char* at = std::char_traits<char>::find(kAlphabet, 64, c);
    if (at == nullptr) return false;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(at - kAlphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return true;
}

core::Error forbidden(std::string message) {
  return {core::ErrorKind::kForbidden, "AuthenticationFailed", std::move(message), {}};
}

}  // namespace

FileLinks::FileLinks() {
  if (RAND_bytes(key_.data(), static_cast<int>(key_.size())) != 1) {
    throw std::runtime_error("cannot make the download-link key: OpenSSL's random generator failed");
  }
}

std::string FileLinks::mac(std::string_view payload) const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), digest, &length);
  return base64url(std::string_view(reinterpret_cast<const char*>(digest), length));
}

// The payload is "<expiry>\n<length of root>\n<root><file>": a file name may hold any byte but '/'
// and NUL, newlines included, so the root is delimited by its length.
std::string FileLinks::sign(const LinkedFile& target, core::Time expires) const {
  const std::string root = target.root.string();
  const std::string payload = fmt::format("{}\n{}\n{}{}", expires.time_since_epoch().count(), root.size(),
                                          root, target.file.string());
  const std::string encoded = base64url(payload);
  return encoded + "." + mac(encoded);
}

core::Result<LinkedFile> FileLinks::verify(std::string_view token, core::Time now) const {
  const auto dot = token.find('.');
  if (dot == std::string_view::npos) return forbidden("The download link is not valid");
  const std::string_view encoded = token.substr(0, dot);
  const std::string expected = mac(encoded);
  const std::string_view given = token.substr(dot + 1);
  if (given.size() != expected.size() || CRYPTO_memcmp(given.data(), expected.data(), given.size()) != 0) {
    return forbidden("The download link is not valid: its signature does not match");
  }
  std::string payload;
  if (!unbase64url(encoded, payload)) return forbidden("The download link is not valid");
  const auto first = payload.find('\n');
  const auto second = first == std::string::npos ? first : payload.find('\n', first + 1);
  std::int64_t expires = 0;
  std::size_t root_size = 0;
  if (second == std::string::npos ||
      std::from_chars(payload.data(), payload.data() + first, expires).ec != std::errc{} ||
      std::from_chars(payload.data() + first + 1, payload.data() + second, root_size).ec != std::errc{} ||
      root_size > payload.size() - second - 1) {
    return forbidden("The download link is not valid");
  }
  if (now.time_since_epoch().count() > expires) {
    return forbidden("The download link has expired; list the output files again for a fresh link");
  }
  const std::string_view rest = std::string_view(payload).substr(second + 1);
  return LinkedFile{std::filesystem::path(rest.substr(0, root_size)),
                    std::filesystem::path(rest.substr(root_size))};
}

}  // namespace emu::api
