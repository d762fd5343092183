#pragma once
// Application: what `serve` wires behind its listeners: the request handler (router and engine)
// and its backend. run_serve gets one from make_application() (application_factory.hpp), serves its
// handler, and calls shutdown() once the listeners have stopped.
//   std::unique_ptr<Application> app = make_application(options, io);
//   HttpServer server(io, app->handler(), settings);  ...  app->shutdown();

#include "emulator/api/request_handler.hpp"
#include "emulator/store/commit_barrier.hpp"

#include <string>

namespace emu::server {

class Application {
 public:
  virtual ~Application() = default;

  // Called on the io_context's thread for every request; lives as long as the Application.
  virtual api::RequestHandler& handler() = 0;
  // "sim" or "container": the backend actually in use (never "auto"), for the ready line.
  virtual std::string backend_name() const = 0;
  // After the listeners stopped and before the io_context stops: cancel timers, save state.
  virtual void shutdown() = 0;
  // What responses wait behind before they are written (group commit), or null: answer at once.
  virtual store::CommitBarrier* commit_barrier() { return nullptr; }
};

}  // namespace emu::server
