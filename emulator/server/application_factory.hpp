#pragma once
// make_application: the one place that chooses which engine, store, backend and router `serve` runs.
// Its definition lives in application_factory.cpp, so wiring a new engine changes that file only.
//   auto app = make_application(options, io);  // throws std::runtime_error if it cannot start

#include "emulator/server/application.hpp"
#include "emulator/server/serve_options.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>

namespace emu::server {

// Builds the application for `options`, scheduling its timers on `io` (the server's thread). A
// start-up failure (unusable backend, unreadable config or state) throws std::runtime_error with a
// one-line message saying what to do; run_serve prints it and exits 1.
std::unique_ptr<Application> make_application(const ServeOptions& options, boost::asio::io_context& io);

}  // namespace emu::server
