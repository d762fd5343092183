#include "emulator/server/response_head.hpp"

// Boost 1.81's string_view header uses std::ostream without including it.
#include <ostream>

#include <boost/beast/http/status.hpp>

#include <array>
#include <charconv>

namespace emu::server {

namespace {

bool is_token_char(char c) {
  static constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         kSpecials.find(c) != std::string_view::npos;
}

bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

// Header values and reason phrases may hold any visible character, space and tab; anything else
// (CR and LF above all) would let a value forge extra headers.
void append_field_text(std::string& out, std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    out += (byte < 0x20 && c != '\t') || byte == 0x7f ? ' ' : c;
  }
}

void append_number(std::string& out, std::uint64_t value) {
  std::array<char, 24> digits{};
  const auto result = std::to_chars(digits.data(), digits.data() + digits.size(), value);
  out.append(digits.data(), static_cast<std::size_t>(result.ptr - digits.data()));
}

}  // namespace

bool append_response_head(std::string& out, const api::HttpResponse& response, const ResponseFraming& framing,
                          RequestIdGenerator& ids) {
  const bool valid_status = response.status >= 200 && response.status <= 599;
  const int status = valid_status ? response.status : 500;
  out += framing.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  append_number(out, static_cast<std::uint64_t>(status));
  out += ' ';
  if (valid_status && !response.reason.empty()) {
    append_field_text(out, response.reason);
  } else {
    const auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
    out.append(reason.data(), reason.size());
  }
  out += "\r\n";

  bool has_request_id = false;
  bool has_correlation_id = false;
  bool has_client_request_id = false;
  for (const auto& [name, value] : response.headers) {
    if (!is_token(name) || api::iequals(name, "content-length") || api::iequals(name, "transfer-encoding") ||
        api::iequals(name, "connection")) {
      continue;
    }
    if (name.size() > 5 && (name[0] == 'x' || name[0] == 'X')) {
      has_request_id = has_request_id || api::iequals(name, "x-ms-request-id");
      has_correlation_id = has_correlation_id || api::iequals(name, "x-ms-correlation-request-id");
      has_client_request_id = has_client_request_id || api::iequals(name, "x-ms-client-request-id");
    }
    out += name;
    out += ": ";
    append_field_text(out, value);
    out += "\r\n";
  }
  if (!has_request_id) {
    out += "x-ms-request-id: ";
    if (framing.client_request_id.empty()) {
      ids.append(out);
    } else {
      append_field_text(out, framing.client_request_id);
    }
    out += "\r\n";
  }
  if (!has_client_request_id && !framing.client_request_id.empty()) {
    out += "x-ms-client-request-id: ";
    append_field_text(out, framing.client_request_id);
    out += "\r\n";
  }
  if (!has_correlation_id) {
    out += "x-ms-correlation-request-id: ";
    if (framing.correlation_request_id.empty()) {
      ids.append(out);
    } else {
      append_field_text(out, framing.correlation_request_id);
    }
    out += "\r\n";
  }

  const bool bodiless_status = status == 204 || status == 304;
  if (!bodiless_status) {
    out += "Content-Length: ";
    append_number(out, response.body.size());
    out += "\r\n";
  }
  if (!framing.keep_alive) {
    out += "Connection: close\r\n";
  } else if (framing.version == 10) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  return !bodiless_status && !framing.head_request;
}

}  // namespace emu::server
