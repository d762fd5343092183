#pragma once
// RequestParser: a Beast parser that writes straight into a reused api::HttpRequest, so parsing a
// request allocates nothing once the session's strings have grown to size (Beast's own
// request_parser would build a second header container that we would then copy). HEAD is handed
// to the handler as GET; the session drops the body.
//   api::HttpRequest request;  RequestParser parser(request, limits);
//   parser.put(buffer.data(), ec);  if (parser.is_done()) handle(request);

#include "emulator/api/http_message.hpp"

#include <boost/beast/http/basic_parser.hpp>

#include <cstdint>
#include <string_view>

namespace emu::server {

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  // Clears `request` (keeping its capacity) and parses the next message into it.
  RequestParser(api::HttpRequest& request, std::uint32_t max_header_bytes, std::uint64_t max_body_bytes);

  int version() const { return version_; }  // 10 or 11
  bool is_head() const { return is_head_; }
  bool expects_continue() const { return expects_continue_; }
  // The client's ids, empty when not sent.
  std::string_view client_request_id() const { return header_at(client_request_id_index_); }
  std::string_view correlation_request_id() const { return header_at(correlation_request_id_index_); }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  std::string_view header_at(std::size_t index) const;

  void on_request_impl(boost::beast::http::verb method, string_view method_string, string_view target,
                       int version, error_code& ec) override;
  void on_response_impl(int, string_view, int, error_code&) override {}
  void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(boost::optional<std::uint64_t> const& content_length, error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  static constexpr std::size_t kNoHeader = static_cast<std::size_t>(-1);

  api::HttpRequest& request_;
  std::size_t header_count_ = 0;  // headers used this message; entries past it are spare capacity
  int version_ = 11;
  bool is_head_ = false;
  bool expects_continue_ = false;
  std::size_t client_request_id_index_ = kNoHeader;
  std::size_t correlation_request_id_index_ = kNoHeader;
};

}  // namespace emu::server
