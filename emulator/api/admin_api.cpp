#include "emulator/api/admin_api.hpp"

#include <cmath>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "emulator/api/cloud_error.hpp"

namespace emu::api {

namespace json = boost::json;
using core::Error;

namespace {

HttpResponse json_ok(const json::value& body) {
  HttpResponse res;
  res.set_header("Content-Type", "application/json; charset=utf-8");
  res.body = json::serialize(body);
  return res;
}

HttpResponse method_not_allowed(const HttpRequest& req, std::string_view allowed) {
  HttpResponse res = error_response({core::ErrorKind::kMethodNotAllowed, "MethodNotAllowed",
                                     fmt::format("The method {} is not allowed on {}; use {}", req.method,
                                                 req.target, allowed),
                                     {}});
  res.set_header("Allow", std::string(allowed));
  return res;
}

core::Result<json::object> body_object(const HttpRequest& req) {
  boost::system::error_code ec;
  json::value v = json::parse(req.body, ec);
  if (ec || !v.is_object()) {
    return Error::bad_request("InvalidRequestContent", "The body must be a JSON object, e.g. {\"seconds\": 60}");
  }
  return std::move(v.as_object());
}

}  // namespace

std::optional<HttpResponse> AdminApi::handle(const HttpRequest& req, const RequestTarget& target) {
  const auto& seg = target.segments;
  if (seg.size() < 3 || seg[0] != "emulator" || seg[1] != "v1") return std::nullopt;
  const std::string_view what = seg[2];

  if (what == "health" && seg.size() == 3) {
    if (req.method != "GET" && req.method != "HEAD") return method_not_allowed(req, "GET");
    return json_ok(json::object{{"status", "ok"},
                                {"backend", control_.backend_name()},
                                {"now", core::format_timestamp(control_.now())}});
  }

  if (what == "clock" && seg.size() == 3) {
    if (req.method != "GET" && req.method != "HEAD") return method_not_allowed(req, "GET");
    return json_ok(json::object{{"now", core::format_timestamp(control_.now())},
                                {"nowNanoseconds", control_.now().time_since_epoch().count()},
                                {"timeScale", control_.time_scale()},
                                {"backend", control_.backend_name()}});
  }

  if (what == "clock" && seg.size() == 4 && seg[3] == "advance") {
    if (req.method != "POST") return method_not_allowed(req, "POST");
    auto body = body_object(req);
    if (!body) return error_response(body.error());
    auto it = body->find("seconds");
    if (it == body->end() || !it->value().is_number()) {
      return error_response(Error::bad_request("MissingRequiredProperty",
                                               "seconds is required: how far to move the clock, e.g. {\"seconds\": 60}",
                                               "seconds"));
    }
    const double seconds = it->value().to_number<double>();
    if (!std::isfinite(seconds) || seconds < 0 || seconds > 10.0 * 365 * 24 * 3600) {
      return error_response(Error::bad_request("InvalidPropertyValue",
                                               "seconds must be a number from 0 to 315360000 (ten years)", "seconds"));
    }
    auto now = control_.advance_clock(core::from_seconds(seconds));
    if (!now) return error_response(now.error());
    return json_ok(json::object{{"now", core::format_timestamp(*now)},
                                {"nowNanoseconds", now->time_since_epoch().count()}});
  }

  return error_response(Error::not_found(
      "NotFound", fmt::format("No emulator API at {}; see docs/admin-api.md for the routes", target.path)));
}

}  // namespace emu::api
