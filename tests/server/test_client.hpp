#pragma once
// TestClient: a blocking HTTP/1.1 client over plain TCP or TLS (verified against a CA file) for the
// server tests. Each operation runs on the client's own io_context with a time limit, so a server
// bug fails a test instead of hanging it.
//   TestClient client(port);                       // plain
//   TestClient tls(port, ca_file, "localhost");    // HTTPS, certificate verified for "localhost"
//   auto response = client.get("/echo");           // keep-alive: reuse `client` for more requests

#include <openssl/ssl.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace emu::server::test {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Response = http::response<http::string_body>;
using Headers = std::vector<std::pair<std::string, std::string>>;

class TestClient {
 public:
  // Plain HTTP to address:port.
  explicit TestClient(std::uint16_t port, const std::string& address = "127.0.0.1",
                      std::chrono::milliseconds timeout = std::chrono::seconds(5))
      : socket_(io_), timeout_(timeout) {
    socket_.connect(tcp::endpoint(asio::ip::make_address(address), port));
  }

  // HTTPS to 127.0.0.1:port, verifying the server certificate against `ca_file` for `host_name`.
  TestClient(std::uint16_t port, const std::filesystem::path& ca_file, const std::string& host_name,
             std::chrono::milliseconds timeout = std::chrono::seconds(5))
      : socket_(io_),
        timeout_(timeout),
        tls_context_(std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client)) {
    tls_context_->load_verify_file(ca_file.string());
    tls_context_->set_verify_mode(asio::ssl::verify_peer);
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket_, *tls_context_);
    tls_->set_verify_callback(asio::ssl::host_name_verification(host_name));
    SSL_set_tlsext_host_name(tls_->native_handle(), host_name.c_str());
    const error_code ec = run([&](auto done) {
      tls_->async_handshake(asio::ssl::stream_base::client,
                            [done](const error_code& e) mutable { done(e, 0); });
    });
    if (ec) throw boost::system::system_error(ec, "TLS handshake");
  }

  Response request(http::verb method, std::string_view target, std::string body = {},
                   const Headers& headers = {}) {
    http::request<http::string_body> request(method, std::string(target), 11);
    request.set(http::field::host, "localhost");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = std::move(body);
    request.prepare_payload();
    error_code ec = run([&](auto done) {
      if (tls_) {
        http::async_write(*tls_, request, done);
      } else {
        http::async_write(socket_, request, done);
      }
    });
    if (ec) throw boost::system::system_error(ec, "write request");
    return read_response(method == http::verb::head);
  }
  Response get(std::string_view target) { return request(http::verb::get, target); }

  void send_raw(std::string_view bytes) {
    const error_code ec = run([&](auto done) {
      if (tls_) {
        asio::async_write(*tls_, asio::buffer(bytes.data(), bytes.size()), done);
      } else {
        asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()), done);
      }
    });
    if (ec) throw boost::system::system_error(ec, "write");
  }

  Response read_response(bool head = false) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    parser.skip(head);
    const error_code ec = run([&](auto done) {
      if (tls_) {
        http::async_read(*tls_, buffer_, parser, done);
      } else {
        http::async_read(socket_, buffer_, parser, done);
      }
    });
    if (ec) throw boost::system::system_error(ec, "read response");
    return parser.release();
  }

  // True when the server closes the connection (EOF or reset, no data) within the time limit.
  bool closed_by_server() {
    if (buffer_.size() > 0) return false;
    std::array<char, 256> scratch{};
    std::size_t got = 0;
    const error_code ec = run([&](auto done) {
      auto on_read = [done, &got](const error_code& e, std::size_t n) mutable {
        got = n;
        done(e, n);
      };
      if (tls_) {
        tls_->async_read_some(asio::buffer(scratch), on_read);
      } else {
        socket_.async_read_some(asio::buffer(scratch), on_read);
      }
    });
    return ec && ec != asio::error::timed_out && got == 0;
  }

  boost::beast::flat_buffer& buffer() { return buffer_; }

 private:
  // Starts one async operation and runs the client's io_context until it ends or the time limit
  // passes (then it is cancelled and timed_out returned).
  template <typename Start>
  error_code run(Start start) {
    error_code result = asio::error::timed_out;
    bool done = false;
    start([&result, &done](const error_code& ec, std::size_t) {
      result = ec;
      done = true;
    });
    io_.restart();
    io_.run_for(timeout_);
    if (!done) {
      error_code ignored;
      socket_.cancel(ignored);
      io_.restart();
      io_.run();
      return asio::error::timed_out;
    }
    return result;
  }

  asio::io_context io_;
  tcp::socket socket_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<asio::ssl::context> tls_context_;
  std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace emu::server::test
