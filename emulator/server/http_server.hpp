#pragma once
// HttpServer: the HTTPS and HTTP listeners of `serve`, on an io_context the caller owns and runs on
// one thread (the engine's timers share it, so nothing here takes a lock). Every request goes to one
// api::RequestHandler; the server itself answers only transport errors (413, 400, 503) as CloudErrors.
// Call every member from the io_context's thread, or before it runs.
//   HttpServer server(io, handler, settings);
//   if (auto started = server.start(); !started) fail(started.error());
//   print(server.https_port());  ...  server.stop([&] { io.stop(); });

#include "emulator/api/request_handler.hpp"
#include "emulator/core/result.hpp"
#include "emulator/server/http_server_settings.hpp"
#include "emulator/store/commit_barrier.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <memory>

namespace emu::server {

// The answers the server gives itself (CloudError bodies via api::error_response; the first four close the
// connection after the response):
//   413 RequestEntityTooLarge        body over max_body_bytes (checked on Content-Length and chunks)
//   400 RequestHeaderFieldsTooLarge  request line and headers over max_header_bytes
//   400 InvalidHttpRequest           not parseable as HTTP/1.x (the message says what was wrong)
//   503 ServerBusy                   over max_connections (with Retry-After: 1)
//   500 InternalServerError          the handler threw (the connection stays open)
// A request that stalls past request_timeout, or an idle connection past idle_timeout, is closed
// without a response.

class Listener;
struct SessionContext;

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, api::RequestHandler& handler, HttpServerSettings settings);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  // Closes everything at once; prefer stop() and wait for its callback.
  ~HttpServer();

  // Group commit: from now on a response is written only after every change staged by then is
  // committed (the handler's own and any other not yet durable); a failed commit turns it into a 500.
  // Without a barrier (the default) responses go out as soon as the handler returns.
  void set_commit_barrier(store::CommitBarrier* barrier);

  // Loads the TLS files, resolves the host, binds both listeners and starts accepting. Errors name
  // the file or address at fault (codes TlsMaterialError, HostNotFound, ListenFailed).
  core::Result<void> start();

  // The bound ports (useful with port 0); 0 for a listener that is off.
  std::uint16_t https_port() const { return https_port_; }
  std::uint16_t http_port() const { return http_port_; }
  std::size_t connection_count() const;

  // Graceful stop: stop accepting, close idle connections, let requests in progress finish (their
  // responses say "Connection: close"), and cut what is left at settings.stop_deadline. `on_stopped`
  // runs on the io_context once no connection is left. Calling it again just hastens the end: every
  // connection is closed at once; after the stop it just queues `on_stopped`.
  void stop(std::function<void()> on_stopped = {});

 private:
  void schedule_sweep();
  void finish_stop();

  std::shared_ptr<SessionContext> context_;
  std::shared_ptr<Listener> https_listener_;
  std::shared_ptr<Listener> http_listener_;
  std::uint16_t https_port_ = 0;
  std::uint16_t http_port_ = 0;
  std::function<void()> on_stopped_;
  bool stopped_ = false;  // on_stopped_ has been queued
};

}  // namespace emu::server
