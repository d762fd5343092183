// TEMPORARY wiring until the engine and router exist: an application that answers only
// GET /emulator/v1/health and 404s everything else. The integrator replaces this file.

#include "emulator/server/application_factory.hpp"

#include <chrono>
#include <stdexcept>

#include <boost/json.hpp>

#include "emulator/api/cloud_error.hpp"
#include "emulator/core/time.hpp"

namespace emu::server {

namespace {

class HealthHandler final : public api::RequestHandler {
 public:
  explicit HealthHandler(std::string backend) : backend_(std::move(backend)) {}

  api::HttpResponse handle(const api::HttpRequest& request) override {
    const std::string_view path = std::string_view(request.target).substr(0, request.target.find('?'));
    if (path == "/emulator/v1/health") {
      if (request.method != "GET") {
        return api::error_response(core::Error{core::ErrorKind::kMethodNotAllowed, "MethodNotAllowed",
                                               "The health endpoint only supports GET", {}});
      }
      const auto now = std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now());
      api::HttpResponse response;
      response.set_header("Content-Type", "application/json; charset=utf-8");
      response.body = boost::json::serialize(
          boost::json::object{{"status", "ok"}, {"backend", backend_}, {"now", core::format_timestamp(now)}});
      return response;
    }
    return api::error_response(
        core::Error::not_found("NotFound", "The emulator does not serve " + std::string(path) + " yet"));
  }

 private:
  std::string backend_;
};

class HealthOnlyApplication final : public Application {
 public:
  explicit HealthOnlyApplication(std::string backend) : backend_(backend), handler_(std::move(backend)) {}

  api::RequestHandler& handler() override { return handler_; }
  std::string backend_name() const override { return backend_; }
  void shutdown() override {}

 private:
  std::string backend_;
  HealthHandler handler_;
};

}  // namespace

std::unique_ptr<Application> make_application(const ServeOptions& options, boost::asio::io_context&) {
  if (options.backend == Backend::kContainer) {
    throw std::runtime_error("the container backend is not built yet; use --backend sim (or auto)");
  }
  return std::make_unique<HealthOnlyApplication>("sim");
}

}  // namespace emu::server
