#include "emulator/cli/rest_client.hpp"

#include <openssl/ssl.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <cctype>

namespace emu::cli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

core::Error transport_error(const Endpoint& endpoint, std::string_view step,
                            const boost::system::error_code& ec) {
  std::string hint;
  if (ec == asio::error::connection_refused) {
    hint = "; is 'batchai-emulator serve' running there? Set --endpoint or BATCHAI_EMULATOR_ENDPOINT";
  } else if (step == "TLS handshake") {
    hint =
        "; pass the server's CA with --ca-file or BATCHAI_EMULATOR_CA (DATA_DIR/tls/ca.pem), or use http://";
  }
  return core::Error{core::ErrorKind::kInternal,
                     "ConnectionFailed",
                     "Could not reach the emulator at " + endpoint.origin() + " (" + std::string(step) +
                         ": " + ec.message() + ")" + hint,
                     {}};
}

template <class Stream>
core::Result<RestResponse> exchange(Stream& stream, const Endpoint& endpoint,
                                    http::request<http::string_body>& request) {
  boost::system::error_code ec;
  http::write(stream, request, ec);
  if (ec) return transport_error(endpoint, "send", ec);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ull << 30);
  if (request.method() == http::verb::head) parser.skip(true);
  http::read(stream, buffer, parser, ec);
  if (ec) return transport_error(endpoint, "receive", ec);
  auto& message = parser.get();
  RestResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  response.body = std::move(message.body());
  return response;
}

}  // namespace

struct RestClient::Tls {
  asio::ssl::context context{asio::ssl::context::tls_client};
};

std::string_view RestResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequal(key, name)) return value;
  }
  return {};
}

RestClient::RestClient(Endpoint endpoint, RestClientOptions options)
    : endpoint_(std::move(endpoint)), options_(std::move(options)) {}

RestClient::~RestClient() = default;

std::string RestClient::path_of(std::string_view target) const {
  if (target.starts_with("http://") || target.starts_with("https://")) {
    // Links the server made point at the origin it was asked on; only their path and query matter.
    const auto scheme_end = target.find("://") + 3;
    const auto slash = target.find('/', scheme_end);
    return slash == std::string_view::npos ? std::string("/") : std::string(target.substr(slash));
  }
  return endpoint_.prefix + std::string(target);
}

core::Result<RestResponse> RestClient::send(std::string_view method, std::string_view target,
                                            std::string_view body,
                                            const std::vector<std::pair<std::string, std::string>>& headers) {
  http::request<http::string_body> request;
  request.method_string(method);
  request.target(path_of(target));
  request.version(11);
  request.set(http::field::host, endpoint_.host + ":" + endpoint_.port);
  request.set(http::field::user_agent, "batchai-emulator-az");
  request.set(http::field::authorization, "Bearer " + options_.token);
  request.set(http::field::accept, "application/json");
  request.set(http::field::connection, "close");
  if (!body.empty() || method == "PUT" || method == "PATCH" || method == "POST") {
    request.set(http::field::content_type, "application/json; charset=utf-8");
    request.body() = std::string(body);
    request.prepare_payload();
  }
  for (const auto& [name, value] : headers) request.set(name, value);

  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto addresses = resolver.resolve(endpoint_.host, endpoint_.port, ec);
  if (ec) return transport_error(endpoint_, "resolve " + endpoint_.host, ec);

  if (!endpoint_.tls()) {
    beast::tcp_stream stream(io);
    stream.expires_after(options_.timeout);
    stream.connect(addresses, ec);
    if (ec) return transport_error(endpoint_, "connect", ec);
    auto response = exchange(stream, endpoint_, request);
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    return response;
  }

  if (!tls_) {
    tls_ = std::make_unique<Tls>();
    if (!options_.verify) {
      tls_->context.set_verify_mode(asio::ssl::verify_none);
    } else {
      tls_->context.set_verify_mode(asio::ssl::verify_peer);
      if (options_.ca_file.empty()) {
        tls_->context.set_default_verify_paths(ec);
      } else {
        tls_->context.load_verify_file(options_.ca_file, ec);
        if (ec) {
          tls_.reset();
          return core::Error::bad_request("InvalidCaFile",
                                          "Could not read the CA file '" + options_.ca_file + "' (" +
                                              ec.message() + "); it is DATA_DIR/tls/ca.pem of the server",
                                          "--ca-file");
        }
      }
      tls_->context.set_verify_callback(asio::ssl::host_name_verification(endpoint_.host));
    }
  }
  beast::ssl_stream<beast::tcp_stream> stream(io, tls_->context);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), endpoint_.host.c_str())) {
    return core::Error::internal("Could not set the TLS server name to " + endpoint_.host);
  }
  beast::get_lowest_layer(stream).expires_after(options_.timeout);
  beast::get_lowest_layer(stream).connect(addresses, ec);
  if (ec) return transport_error(endpoint_, "connect", ec);
  stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) return transport_error(endpoint_, "TLS handshake", ec);
  auto response = exchange(stream, endpoint_, request);
  stream.shutdown(ec);  // the server may just close; either way the exchange is complete
  return response;
}

}  // namespace emu::cli
