#pragma once
// DashboardHandler: a RequestHandler that serves the dashboard's files and passes every other
// request to the next handler (the api::Router), so that wiring the page in is one line.
//   api::Router router(engine, control);
//   dashboard::DashboardHandler handler(router);  // give `handler` to the listeners

#include "emulator/api/request_handler.hpp"
#include "emulator/dashboard/dashboard_assets.hpp"

namespace emu::dashboard {

class DashboardHandler final : public api::RequestHandler {
 public:
  explicit DashboardHandler(api::RequestHandler& next) : next_(next) {}

  api::HttpResponse handle(const api::HttpRequest& request) override;

 private:
  DashboardAssets assets_;
  api::RequestHandler& next_;
};

}  // namespace emu::dashboard
