#pragma once
// AdminApi: the emulator's own API under /emulator/v1/ (health, the clock, faults, the event
// journal), documented in PRODUCT.md. JSON in and out, errors as CloudErrors like the ARM routes.
//   POST /emulator/v1/clock/advance {"seconds": 60}  ->  {"now": "2018-06-01T00:01:00.000Z"}

#include <optional>

#include <boost/json/object.hpp>

#include "emulator/api/file_links.hpp"
#include "emulator/api/http_message.hpp"
#include "emulator/api/request_target.hpp"
#include "emulator/api/service_control.hpp"
#include "emulator/engine/engine.hpp"

namespace emu::api {

class AdminApi {
 public:
  AdminApi(engine::Engine& engine, ServiceControl& control, const FileLinks& links)
      : engine_(engine), control_(control), links_(links) {}

  // The response, or nullopt when the path is not under /emulator/v1/.
  std::optional<HttpResponse> handle(const HttpRequest& request, const RequestTarget& target);

 private:
  HttpResponse inject_fault(const boost::json::object& body);
  HttpResponse file_server_outage(const boost::json::object& body);
  HttpResponse storage_usage(const RequestTarget& target);

  HttpResponse download(const HttpRequest& request, std::string_view token);

  engine::Engine& engine_;
  ServiceControl& control_;
  const FileLinks& links_;
};

}  // namespace emu::api
