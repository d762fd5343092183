#include "emulator/server/request_parser.hpp"

#include <algorithm>

namespace emu::server {

namespace http = boost::beast::http;

RequestParser::RequestParser(api::HttpRequest& request, std::uint32_t max_header_bytes,
                             std::uint64_t max_body_bytes)
    : request_(request) {
  header_limit(max_header_bytes);
  body_limit(max_body_bytes);
  // Keep going into the body in the same put() so the session sees whole requests in one pass.
  eager(true);
  request_.method.clear();
  request_.target.clear();
  request_.body.clear();
}

std::string_view RequestParser::header_at(std::size_t index) const {
  return index == kNoHeader ? std::string_view() : std::string_view(request_.headers[index].second);
}

void RequestParser::on_request_impl(http::verb method, string_view method_string, string_view target,
                                    int version, error_code&) {
  is_head_ = method == http::verb::head;
  if (is_head_) {
    request_.method.assign("GET");
  } else {
    request_.method.assign(method_string.data(), method_string.size());
  }
  // Absolute form ("http://host:7080/path"), as proxies send it, becomes origin form for the router.
  std::string_view path(target.data(), target.size());
  if (path.starts_with("http://") || path.starts_with("https://")) {
    const std::size_t authority = path.find("//") + 2;
    const std::size_t slash = path.find_first_of("/?", authority);
    path = slash == std::string_view::npos ? std::string_view("/") : path.substr(slash);
  }
  request_.target.assign(path.data(), path.size());
  version_ = version;
}

void RequestParser::on_field_impl(http::field name, string_view name_string, string_view value, error_code&) {
  // Reuse the pair left from an earlier request on this connection: assign() keeps the capacity.
  if (header_count_ < request_.headers.size()) {
    auto& [key, text] = request_.headers[header_count_];
    key.assign(name_string.data(), name_string.size());
    text.assign(value.data(), value.size());
  } else {
    request_.headers.emplace_back(std::string(name_string.data(), name_string.size()),
                                  std::string(value.data(), value.size()));
  }
  const std::string_view key(name_string.data(), name_string.size());
  if (name == http::field::expect) {
    expects_continue_ = api::iequals(std::string_view(value.data(), value.size()), "100-continue");
  } else if (name == http::field::unknown && key.size() > 5 && (key[0] == 'x' || key[0] == 'X')) {
    if (client_request_id_index_ == kNoHeader && api::iequals(key, "x-ms-client-request-id")) {
      client_request_id_index_ = header_count_;
    } else if (correlation_request_id_index_ == kNoHeader &&
               api::iequals(key, "x-ms-correlation-request-id")) {
      correlation_request_id_index_ = header_count_;
    }
  }
  ++header_count_;
}

void RequestParser::on_header_impl(error_code&) { request_.headers.resize(header_count_); }

void RequestParser::on_body_init_impl(boost::optional<std::uint64_t> const& content_length, error_code&) {
  // Content-Length is already within the body limit; reserving more than kMaxReserve up front would
  // let a client that announces a big body and never sends it pin that much memory per connection.
  constexpr std::uint64_t kMaxReserve = 1 << 20;
  if (content_length) request_.body.reserve(static_cast<std::size_t>(std::min(*content_length, kMaxReserve)));
}

std::size_t RequestParser::on_body_impl(string_view body, error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_chunk_header_impl(std::uint64_t, string_view, error_code&) {}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_finish_impl(error_code&) {}

}  // namespace emu::server
