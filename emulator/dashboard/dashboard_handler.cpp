#include "emulator/dashboard/dashboard_handler.hpp"

namespace emu::dashboard {

api::HttpResponse DashboardHandler::handle(const api::HttpRequest& request) {
  if (auto response = assets_.serve(request)) return std::move(*response);
  return next_.handle(request);
}

}  // namespace emu::dashboard
