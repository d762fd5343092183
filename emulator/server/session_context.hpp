#pragma once
// SessionContext: what every session of one HttpServer shares: the handler, the settings, the
// registry of live connections, the request-id generator and the commit barrier responses wait behind.
// Sessions hold it by shared_ptr, so a session that outlives its HttpServer (its last handler still queued)
// touches valid memory and finds `handler` null.
//   auto context = std::make_shared<SessionContext>(io, handler, settings);

#include "emulator/api/request_handler.hpp"
#include "emulator/server/connection_registry.hpp"
#include "emulator/server/http_server_settings.hpp"
#include "emulator/server/request_id_generator.hpp"
#include "emulator/store/commit_barrier.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <optional>

namespace emu::server {

struct SessionContext {
  SessionContext(boost::asio::io_context& io_context, api::RequestHandler& request_handler,
                 HttpServerSettings server_settings)
      : io(io_context),
        handler(&request_handler),
        settings(std::move(server_settings)),
        sweep_timer(io_context),
        stop_timer(io_context) {}

  boost::asio::io_context& io;
  api::RequestHandler* handler;  // null once the HttpServer is gone
  HttpServerSettings settings;
  std::optional<boost::asio::ssl::context> tls;  // set when HTTPS is on
  ConnectionRegistry registry;
  RequestIdGenerator ids;
  // When set, a response is written only once nothing it may depend on is still staged (group commit).
  store::CommitBarrier* commits = nullptr;
  boost::asio::steady_timer sweep_timer;  // fires the deadline sweep
  boost::asio::steady_timer stop_timer;   // stop(): cuts connections at the stop deadline
  bool stopping = false;  // new responses say "Connection: close"; idle connections are closed
};

}  // namespace emu::server
