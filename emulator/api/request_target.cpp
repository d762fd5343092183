#include "emulator/api/request_target.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "emulator/api/http_message.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace emu::api {

namespace {

// Well-formed UTF-8: no stray continuation bytes, overlong forms, surrogates or code points past U+10FFFF.
bool is_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    // The lead byte says how many continuation bytes follow and the least code point that needs them.
    const std::size_t extra = (lead & 0xE0) == 0xC0   ? 1
                              : (lead & 0xF0) == 0xE0 ? 2
                              : (lead & 0xF8) == 0xF0 ? 3
                                                      : 0;
    if (extra == 0) return false;
    constexpr std::uint32_t kLeast[] = {0, 0x80, 0x800, 0x10000};
    std::uint32_t code = lead & (0x7Fu >> (extra + 1));
    if (text.size() - i <= extra) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3Fu);
    }
    if (code < kLeast[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

// The first 200 bytes of a target for an error message, bytes outside printable ASCII percent-encoded:
// the message goes into JSON, which must be UTF-8.
std::string printable(std::string_view target) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : target.substr(0, 200)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte > 0x20 && byte < 0x7F) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

// The characters of a target that parse_plain() reads exactly as Boost.URL would: RFC 3986's pchar
// without '%' (nothing to decode: all ASCII, so UTF-8) and '+' (a space in a query), plus '/' and '?'.
// ARM targets are made of these; anything else goes to Boost.URL.
constexpr std::array<bool, 256> plain_characters() {
  std::array<bool, 256> plain{};
  for (char c = 'a'; c <= 'z'; ++c) plain[static_cast<unsigned char>(c)] = true;
  for (char c = 'A'; c <= 'Z'; ++c) plain[static_cast<unsigned char>(c)] = true;
  for (char c = '0'; c <= '9'; ++c) plain[static_cast<unsigned char>(c)] = true;
  for (char c : std::string_view("-._~!$&'()*,;=:@/?")) plain[static_cast<unsigned char>(c)] = true;
  return plain;
}
constexpr std::array<bool, 256> kPlain = plain_characters();

// Splits `text` at every `separator`, calling fn(piece) for each piece, empty ones included.
template <typename Fn>
void split(std::string_view text, char separator, Fn&& fn) {
  for (;;) {
    const std::size_t end = text.find(separator);
    fn(text.substr(0, end));
    if (end == std::string_view::npos) return;
    text.remove_prefix(end + 1);
  }
}

// The common case without Boost.URL (whose parse was 8% of a GET's server time): the same path,
// segments and parameters it gives, or nothing when the target is not plain characters, or has a
// segment starting with '.' (Boost.URL hides a leading "." segment).
std::optional<RequestTarget> parse_plain(std::string_view target) {
  if (target.empty() || target.front() != '/') return std::nullopt;
  for (const char c : target) {
    if (!kPlain[static_cast<unsigned char>(c)]) return std::nullopt;
  }
  const std::size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  if (path.find("/.") != std::string_view::npos) return std::nullopt;
  RequestTarget out;
  out.path = std::string(path);
  out.segments.reserve(static_cast<std::size_t>(std::count(path.begin(), path.end(), '/')));
  split(path.substr(1), '/', [&](std::string_view segment) {
    if (!segment.empty()) out.segments.emplace_back(segment);
  });
  if (question != std::string_view::npos) {
    split(target.substr(question + 1), '&', [&](std::string_view param) {
      const std::size_t equals = param.find('=');
      if (equals == std::string_view::npos) {
        out.params.emplace_back(std::string(param), std::string());
      } else {
        out.params.emplace_back(std::string(param.substr(0, equals)), std::string(param.substr(equals + 1)));
      }
    });
  }
  return out;
}

}  // namespace

core::Result<RequestTarget> RequestTarget::parse(std::string_view target) {
  if (auto plain = parse_plain(target)) return std::move(*plain);
  return parse_with_url_library(target);
}

core::Result<RequestTarget> RequestTarget::parse_with_url_library(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) {
    return core::Error::bad_request("InvalidRequestUri",
                                    "The request target is not a valid URI path: " + printable(target));
  }
  RequestTarget out;
  out.path = std::string(url->encoded_path());
  for (auto segment : url->segments()) {
    if (!segment.empty()) out.segments.emplace_back(segment);
  }
  for (auto param : url->params()) out.params.emplace_back(param.key, param.has_value ? param.value : "");
  // Decoded segments and query values become names, ids and error messages in JSON answers.
  bool utf8 = std::all_of(out.segments.begin(), out.segments.end(), is_utf8);
  for (const auto& [key, value] : out.params) utf8 = utf8 && is_utf8(key) && is_utf8(value);
  if (!utf8) {
    return core::Error::bad_request(
        "InvalidRequestUri",
        "The request target's percent-encoded bytes are not UTF-8: " + printable(target));
  }
  return out;
}

std::optional<std::string_view> RequestTarget::query(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (iequals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::string encode_query_value(std::string_view value) {
  return boost::urls::encode(value, boost::urls::unreserved_chars);
}

}  // namespace emu::api
