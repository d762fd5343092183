#pragma once
// AdminApi: the emulator's own API under /emulator/v1/ (health, the clock, faults, the event
// journal), documented in PRODUCT.md. JSON in and out, errors as CloudErrors like the ARM routes.
//   POST /emulator/v1/clock/advance {"seconds": 60}  ->  {"now": "2018-06-01T00:01:00.000Z"}

#include <optional>

#include <boost/json/object.hpp>

#include "emulator/api/http_message.hpp"
#include "emulator/api/request_target.hpp"
#include "emulator/api/service_control.hpp"
#include "emulator/engine/engine.hpp"

namespace emu::api {

class AdminApi {
 public:
  AdminApi(engine::Engine& engine, ServiceControl& control) : engine_(engine), control_(control) {}

  // The response, or nullopt when the path is not under /emulator/v1/.
  std::optional<HttpResponse> handle(const HttpRequest& request, const RequestTarget& target);

 private:
  HttpResponse inject_fault(const boost::json::object& body);

  engine::Engine& engine_;
  ServiceControl& control_;
};

}  // namespace emu::api
