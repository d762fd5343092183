#include "emulator/api/cloud_error.hpp"

#include <boost/json.hpp>

namespace emu::api {

int http_status_of(core::ErrorKind kind) {
  switch (kind) {
    case core::ErrorKind::kBadRequest: return 400;
    case core::ErrorKind::kUnauthorized: return 401;
    case core::ErrorKind::kForbidden: return 403;
    case core::ErrorKind::kNotFound: return 404;
    case core::ErrorKind::kMethodNotAllowed: return 405;
    case core::ErrorKind::kConflict: return 409;
    case core::ErrorKind::kPayloadTooLarge: return 413;
    case core::ErrorKind::kTooManyRequests: return 429;
    case core::ErrorKind::kInternal: return 500;
  }
  return 500;
}

HttpResponse error_response(const core::Error& error) {
  boost::json::object body;
  body["code"] = error.code;
  body["message"] = error.message;
  if (!error.target.empty()) body["target"] = error.target;
  HttpResponse response;
  response.status = http_status_of(error.kind);
  // The live service used the message as the reason phrase of its own 404s; clients show it.
  if (error.kind == core::ErrorKind::kNotFound && error.message.find_first_of("\r\n") == std::string::npos) {
    response.reason = error.message;
  }
  response.set_header("Content-Type", "application/json; charset=utf-8");
  response.body = boost::json::serialize(boost::json::object{{"error", std::move(body)}});
  return response;
}

}  // namespace emu::api
