#include "emulator/api/router.hpp"

#include <fmt/format.h>

#include "emulator/api/cloud_error.hpp"

namespace emu::api {

HttpResponse Router::handle(const HttpRequest& request) {
  const bool cacheable = ResponseCache::cacheable(request);
  const std::uint64_t revision = engine_.state_revision();
  if (cacheable) {
    if (const HttpResponse* hit = cache_.find(request, revision)) {
      count(*hit);
      return *hit;
    }
  }
  HttpResponse response = route(request);
  // Kept only if answering changed nothing: then the same request gets the same answer until it does.
  if (cacheable && engine_.state_revision() == revision) cache_.store(request, revision, response);
  count(response);
  return response;
}

void Router::count(const HttpResponse& response) {
  const int status_class = response.status / 100;
  if (status_class >= 1 && status_class <= 5) ++responses_by_class_[static_cast<std::size_t>(status_class)];
}

HttpResponse Router::route(const HttpRequest& request) {
  auto target = RequestTarget::parse(request.target);
  if (!target) return error_response(target.error());
  if (target->segments.size() == 1 && target->segments[0] == "metrics") return metrics();
  if (auto res = admin_.handle(request, *target)) return std::move(*res);
  if (auto res = arm_.handle(request, *target)) return std::move(*res);
  return error_response(core::Error::not_found(
      "NotFound", fmt::format("No Batch AI operation matches {} {}; check the path against the 2018-05-01 API",
                              request.method, target->path)));
}

HttpResponse Router::metrics() const {
  std::string text =
      "# HELP batchai_emulator_http_responses_total HTTP responses by status class.\n"
      "# TYPE batchai_emulator_http_responses_total counter\n";
  for (std::size_t c = 1; c <= 5; ++c) {
    text += fmt::format("batchai_emulator_http_responses_total{{class=\"{}xx\"}} {}\n", c, responses_by_class_[c]);
  }
  HttpResponse res;
  res.set_header("Content-Type", "text/plain; version=0.0.4");
  res.body = std::move(text);
  return res;
}

}  // namespace emu::api
