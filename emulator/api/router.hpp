#pragma once
// Router: the one RequestHandler the listeners call. A pure function of the request and the engine's
// state: sends /emulator/v1/ to the admin API, /metrics to the counters, everything else to the ARM
// API, and answers anything unknown with a 404 CloudError. ARM GET answers are kept in a
// ResponseCache until the engine's state changes.
//   Router router(engine, control);  HttpResponse res = router.handle(request);

#include <array>
#include <cstdint>

#include "emulator/api/admin_api.hpp"
#include "emulator/api/arm_api.hpp"
#include "emulator/api/request_handler.hpp"
#include "emulator/api/response_cache.hpp"

namespace emu::api {

class Router final : public RequestHandler {
 public:
  Router(engine::Engine& engine, ServiceControl& control)
      : engine_(engine), arm_(engine, links_), admin_(engine, control, links_) {}

  HttpResponse handle(const HttpRequest& request) override;

 private:
  HttpResponse route(const HttpRequest& request);
  HttpResponse metrics() const;
  void count(const HttpResponse& response);

  engine::Engine& engine_;
  FileLinks links_;  // before arm_ and admin_, which keep a reference to it
  ArmApi arm_;
  AdminApi admin_;
  ResponseCache cache_;
  // Responses by status class (1xx..5xx), for /metrics.
  std::array<std::uint64_t, 6> responses_by_class_{};
};

}  // namespace emu::api
