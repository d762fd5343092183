#pragma once
// HttpSession<Stream>: one accepted connection, plain (tcp::socket) or TLS (ssl::stream). It reads
// a request, calls the handler on the server thread, writes the response and only then reads the
// next request, so pipelined requests are answered in order. With a commit barrier (group commit),
// a response waits while changes are staged and goes out after the commit that makes them durable. Buffers
// live as long as the connection and are reused request after request. Timeouts are deadlines swept by the
// server. Only http_server.cpp includes this file.
//   auto session = std::make_shared<HttpSession<tcp::socket>>(std::move(socket), context, false);
//   session->start();

#include "emulator/api/cloud_error.hpp"
#include "emulator/api/http_message.hpp"
#include "emulator/core/error.hpp"
#include "emulator/core/log.hpp"
#include "emulator/server/connection.hpp"
#include "emulator/server/request_parser.hpp"
#include "emulator/server/response_head.hpp"
#include "emulator/server/session_context.hpp"

#include <fmt/format.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>

#include <array>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace emu::server {

template <typename Stream>
struct IsTlsStream : std::false_type {};
template <typename Next>
struct IsTlsStream<boost::asio::ssl::stream<Next>> : std::true_type {};

template <typename Stream>
class HttpSession final : public Connection, public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  static constexpr bool kTls = IsTlsStream<Stream>::value;

  // `refused`: the server is at max_connections; answer the first request 503 and close.
  HttpSession(Stream stream, std::shared_ptr<SessionContext> context, bool refused)
      : stream_(std::move(stream)), context_(std::move(context)) {
    set_refused(refused);
    context_->registry.add(this);
  }
  ~HttpSession() override { context_->registry.remove(this); }

  void start() {
    boost::system::error_code ec;
    const auto peer = socket().remote_endpoint(ec);
    if (!ec) {
      remote_ = peer.address().is_v6() ? fmt::format("[{}]:{}", peer.address().to_string(), peer.port())
                                       : fmt::format("{}:{}", peer.address().to_string(), peer.port());
    }
    request_.scheme = kTls ? "https" : "http";
    request_.remote = remote_;
    if constexpr (kTls) {
      do_handshake();
    } else {
      start_request();
    }
  }

  void on_deadline() override {
    core::log::debug("{}: closing after a timeout ({})", remote_, state_name());
    close();
  }

  void begin_stop() override {
    stop_requested_ = true;
    // Nothing in progress: nothing to finish. Otherwise the response in progress closes it.
    if (state_ == State::kIdle || state_ == State::kHandshake) close();
  }

  void force_close() override { close(); }

 private:
  using error_code = boost::system::error_code;
  using Clock = Connection::Clock;

  // kIdle: waiting for the first byte of a request; kReading: part of one has arrived; kCommitting:
  // the response is ready and waits for the group commit.
  enum class State { kHandshake, kIdle, kReading, kContinue, kCommitting, kWriting, kLingering, kClosed };

  static constexpr std::size_t kReadChunk = 16 * 1024;
  // Bodies up to this are copied behind the head so the response goes out in one write (and, over
  // TLS, one record); bigger ones are written from where they are.
  static constexpr std::size_t kCoalesceLimit = 16 * 1024;
  // A connection keeps buffers up to this between requests; beyond it they are released.
  static constexpr std::size_t kKeepCapacity = 1 << 20;

  const HttpServerSettings& settings() const { return context_->settings; }

  boost::asio::ip::tcp::socket& socket() {
    if constexpr (kTls) {
      return stream_.next_layer();
    } else {
      return stream_;
    }
  }

  std::string_view state_name() const {
    switch (state_) {
      case State::kHandshake:
        return "TLS handshake";
      case State::kIdle:
        return "idle";
      case State::kReading:
        return "reading a request";
      case State::kContinue:
        return "sending 100 Continue";
      case State::kCommitting:
        return "waiting for the commit";
      case State::kWriting:
        return "writing a response";
      case State::kLingering:
        return "closing";
      case State::kClosed:
        return "closed";
    }
    return "?";
  }

  void do_handshake() {
    if constexpr (kTls) {
      state_ = State::kHandshake;
      set_deadline(Clock::now() + settings().request_timeout);
      stream_.async_handshake(
          boost::asio::ssl::stream_base::server,
          [self = this->shared_from_this()](const error_code& ec) { self->on_handshake(ec); });
    }
  }

  void on_handshake(const error_code& ec) {
    if (state_ == State::kClosed) return;
    if (ec) {
      core::log::debug("{}: TLS handshake failed: {}", remote_, ec.message());
      close();
      return;
    }
    start_request();
  }

  void start_request() {
    if (stop_requested_ || context_->stopping) {
      close();
      return;
    }
    parser_.emplace(request_, settings().max_header_bytes, settings().max_body_bytes);
    continue_sent_ = false;
    if (buffer_.size() > 0) {  // pipelined: the next request is already here
      state_ = State::kReading;
      set_deadline(Clock::now() + settings().request_timeout);
      process_buffer();
    } else {
      state_ = State::kIdle;
      set_deadline(Clock::now() + settings().idle_timeout);
      do_read();
    }
  }

  void do_read() {
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = this->shared_from_this()](const error_code& ec, std::size_t bytes) {
                              self->on_read(ec, bytes);
                            });
  }

  void on_read(const error_code& ec, std::size_t bytes) {
    if (state_ == State::kClosed) return;
    if (ec) {  // end of stream, reset or cancelled: there is nobody to answer
      close();
      return;
    }
    buffer_.commit(bytes);
    if (state_ == State::kIdle) {
      state_ = State::kReading;
      set_deadline(Clock::now() + settings().request_timeout);
    }
    process_buffer();
  }

  void process_buffer() {
    namespace http = boost::beast::http;
    for (;;) {
      if (buffer_.size() == 0) {
        do_read();
        return;
      }
      error_code ec;
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == http::error::need_more) {
        do_read();
        return;
      }
      if (ec) {
        reject(ec);
        return;
      }
      if (parser_->is_done()) {
        handle_request();
        return;
      }
      if (parser_->is_header_done()) {
        if (refused()) {
          refuse();
          return;
        }
        if (parser_->expects_continue() && !continue_sent_ && parser_->version() >= 11) {
          send_continue();
          return;
        }
      }
      if (used == 0) {
        do_read();
        return;
      }
    }
  }

  void reject(const error_code& ec) {
    namespace http = boost::beast::http;
    if (ec == http::error::body_limit) {
      send_error(
          core::Error{core::ErrorKind::kPayloadTooLarge,
                      "RequestEntityTooLarge",
                      fmt::format("The request body is larger than the limit of {} bytes (--max-body-size)",
                                  settings().max_body_bytes),
                      {}});
    } else if (ec == http::error::header_limit) {
      send_error(core::Error::bad_request(
          "RequestHeaderFieldsTooLarge",
          fmt::format("The request line and headers are larger than the limit of {} bytes",
                      settings().max_header_bytes)));
    } else {
      send_error(core::Error::bad_request(
          "InvalidHttpRequest", fmt::format("The request is not valid HTTP/1.1: {}", ec.message())));
    }
  }

  void refuse() {
    api::HttpResponse response = api::error_response(
        core::Error{core::ErrorKind::kTooManyRequests,
                    "ServerBusy",
                    fmt::format("The emulator already serves {} connections (--max-connections); retry later",
                                settings().max_connections),
                    {}});
    response.status = 503;
    response.reason.clear();
    response.set_header("Retry-After", "1");
    response_ = std::move(response);
    keep_alive_ = false;
    write_response();
  }

  // For errors the server detects itself; the connection closes after the response.
  void send_error(const core::Error& error) {
    core::log::debug("{}: {} {}", remote_, error.code, error.message);
    response_ = api::error_response(error);
    keep_alive_ = false;
    write_response();
  }

  void handle_request() {
    clear_deadline();
    keep_alive_ = parser_->keep_alive() && !stop_requested_ && !context_->stopping;
    if (refused()) {
      refuse();
      return;
    }
    api::RequestHandler* handler = context_->handler;
    if (handler == nullptr) {
      close();
      return;
    }
    const bool log_request = core::log::enabled(core::log::Level::kDebug);
    const Clock::time_point started = log_request ? Clock::now() : Clock::time_point();
    try {
      response_ = handler->handle(request_);
    } catch (const std::exception& failure) {
      core::log::error("handler failed on {} {}: {}", request_.method, request_.target, failure.what());
      response_ = api::error_response(core::Error::internal("The emulator failed to handle this request"));
    } catch (...) {
      core::log::error("handler failed on {} {}: unknown exception", request_.method, request_.target);
      response_ = api::error_response(core::Error::internal("The emulator failed to handle this request"));
    }
    if (log_request) {
      const std::chrono::duration<double, std::milli> took = Clock::now() - started;
      core::log::debug("{} {} {} {} -> {} ({} bytes, {:.3f} ms)", remote_, request_.scheme,
                       parser_->is_head() ? std::string_view("HEAD") : std::string_view(request_.method),
                       request_.target, response_.status, response_.body.size(), took.count());
    }
    store::CommitBarrier* commits = context_->commits;
    if (commits != nullptr && commits->has_staged()) {
      // The response may tell of a staged change (this request's or another's): hold it until the
      // commit, which the store has already asked for on this turn of the io_context.
      state_ = State::kCommitting;
      set_deadline(Clock::now() + settings().request_timeout);
      commits->after_sync([self = this->shared_from_this()](const core::Result<void>& committed) {
        self->on_committed(committed);
      });
      return;
    }
    write_response();
  }

  void on_committed(const core::Result<void>& committed) {
    if (state_ == State::kClosed) return;
    if (!committed) {
      core::log::debug("{}: answering 500, the commit failed: {}", remote_, committed.error().message);
      response_ = api::error_response(core::Error::internal(
          fmt::format("The emulator could not save the change to its data directory ({}). Check free disk "
                      "space and permissions.",
                      committed.error().message)));
    }
    // A stop that began meanwhile: say so in this response, as on_write() will close.
    if (stop_requested_ || context_->stopping) keep_alive_ = false;
    write_response();
  }

  void write_response() {
    const bool header_done = parser_ && parser_->is_header_done();
    ResponseFraming framing;
    framing.version = header_done ? parser_->version() : 11;
    framing.keep_alive = keep_alive_;
    framing.head_request = header_done && parser_->is_head();
    if (header_done) {
      framing.client_request_id = parser_->client_request_id();
      framing.correlation_request_id = parser_->correlation_request_id();
    }
    head_.clear();
    const bool send_body =
        append_response_head(head_, response_, framing, context_->ids) && !response_.body.empty();
    state_ = State::kWriting;
    set_deadline(Clock::now() + settings().request_timeout);
    auto on_written = [self = this->shared_from_this()](const error_code& ec, std::size_t) {
      self->on_write(ec);
    };
    if (send_body && response_.body.size() > kCoalesceLimit) {
      const std::array<boost::asio::const_buffer, 2> buffers{boost::asio::buffer(head_),
                                                             boost::asio::buffer(response_.body)};
      boost::asio::async_write(stream_, buffers, std::move(on_written));
    } else {
      if (send_body) head_ += response_.body;
      boost::asio::async_write(stream_, boost::asio::buffer(head_), std::move(on_written));
    }
  }

  void on_write(const error_code& ec) {
    if (state_ == State::kClosed) return;
    if (ec) {
      close();
      return;
    }
    if (!keep_alive_ || stop_requested_ || context_->stopping) {
      linger();
      return;
    }
    if (response_.body.capacity() > kKeepCapacity) std::string().swap(response_.body);
    if (request_.body.capacity() > kKeepCapacity) std::string().swap(request_.body);
    if (head_.capacity() > kKeepCapacity) std::string().swap(head_);
    start_request();
  }

  void send_continue() {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    continue_sent_ = true;
    state_ = State::kContinue;
    boost::asio::async_write(stream_, boost::asio::buffer(kContinue.data(), kContinue.size()),
                             [self = this->shared_from_this()](const error_code& ec, std::size_t) {
                               if (self->state_ == State::kClosed) return;
                               if (ec) {
                                 self->close();
                                 return;
                               }
                               self->state_ = State::kReading;
                               self->process_buffer();
                             });
  }

  // The response said "Connection: close". Closing at once would turn unread request bytes (the
  // rest of an oversized body, say) into a TCP reset that can destroy the response before the
  // client reads it; so stop sending, drain for a moment, then close.
  void linger() {
    state_ = State::kLingering;
    set_deadline(Clock::now() + settings().linger_timeout);
    buffer_.consume(buffer_.size());
    error_code ignored;
    // Over TLS no close_notify is sent: every response is length-delimited, so clients need none.
    socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    do_drain();
  }

  void do_drain() {
    socket().async_read_some(buffer_.prepare(kReadChunk),
                             [self = this->shared_from_this()](const error_code& ec, std::size_t) {
                               if (self->state_ == State::kClosed) return;
                               if (ec) {
                                 self->close();
                                 return;
                               }
                               self->do_drain();
                             });
  }

  void close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    clear_deadline();
    error_code ignored;
    socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

  Stream stream_;
  std::shared_ptr<SessionContext> context_;
  boost::beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  api::HttpRequest request_;
  api::HttpResponse response_;
  std::string head_;
  std::string remote_;
  State state_ = State::kIdle;
  bool keep_alive_ = true;
  bool continue_sent_ = false;
  bool stop_requested_ = false;
};

}  // namespace emu::server
