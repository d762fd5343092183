#include "emulator/cli/batchai_client.hpp"

#include <algorithm>
#include <charconv>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace emu::cli {
namespace {

namespace json = boost::json;

core::ErrorKind kind_of(int status) {
  switch (status) {
    case 400:
      return core::ErrorKind::kBadRequest;
    case 401:
      return core::ErrorKind::kUnauthorized;
    case 403:
      return core::ErrorKind::kForbidden;
    case 404:
      return core::ErrorKind::kNotFound;
    case 405:
      return core::ErrorKind::kMethodNotAllowed;
    case 409:
      return core::ErrorKind::kConflict;
    case 413:
      return core::ErrorKind::kPayloadTooLarge;
    case 429:
      return core::ErrorKind::kTooManyRequests;
    default:
      return core::ErrorKind::kInternal;
  }
}

core::Result<json::value> parse_body(const RestResponse& response) {
  if (response.body.empty()) return json::value{};
  boost::system::error_code ec;
  auto value = json::parse(response.body, ec);
  if (ec) {
    return core::Error::internal("The emulator answered with a body that is not JSON (" + ec.message() +
                                 "): " + response.body.substr(0, 200));
  }
  return value;
}

bool ok(int status) { return status >= 200 && status < 300; }

}  // namespace

core::Error error_from_response(const RestResponse& response) {
  core::Error error{kind_of(response.status),
                    "HttpError" + std::to_string(response.status),
                    "The emulator answered HTTP " + std::to_string(response.status),
                    {}};
  boost::system::error_code ec;
  auto body = json::parse(response.body, ec);
  if (!ec && body.is_object()) {
    const json::value* inner = body.get_object().if_contains("error");
    if (inner && inner->is_object()) {
      const auto& e = inner->get_object();
      if (const auto* code = e.if_contains("code"); code && code->is_string())
        error.code = code->get_string();
      if (const auto* message = e.if_contains("message"); message && message->is_string()) {
        error.message = message->get_string();
      }
      if (const auto* target = e.if_contains("target"); target && target->is_string()) {
        error.target = target->get_string();
      }
    }
  }
  return error;
}

std::string BatchAiClient::group_path(std::string_view group) const {
  return "/subscriptions/" + subscription_ + "/resourceGroups/" + std::string(group) +
         "/providers/Microsoft.BatchAI";
}

std::string BatchAiClient::subscription_path() const {
  return "/subscriptions/" + subscription_ + "/providers/Microsoft.BatchAI";
}

std::string BatchAiClient::with_version(std::string_view path, std::string_view query) const {
  std::string target(path);
  target += (target.find('?') == std::string::npos ? '?' : '&');
  target += "api-version=" + std::string(kApiVersion);
  if (!query.empty()) target += "&" + std::string(query);
  return target;
}

core::Result<RestResponse> BatchAiClient::raw(
    std::string_view method, std::string_view target, std::string_view body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  return rest_.send(method, target, body, headers);
}

core::Result<json::value> BatchAiClient::get(std::string_view path) {
  auto response = rest_.send("GET", with_version(path));
  if (!response) return response.error();
  if (!ok(response->status)) return error_from_response(*response);
  return parse_body(*response);
}

core::Result<json::array> BatchAiClient::list(std::string_view path) {
  json::array items;
  std::string next = with_version(path);
  // A server that keeps handing out links must not keep us here forever.
  for (int page = 0; !next.empty() && page < 10000; ++page) {
    auto response = rest_.send("GET", next);
    if (!response) return response.error();
    if (!ok(response->status)) return error_from_response(*response);
    auto body = parse_body(*response);
    if (!body) return body.error();
    next.clear();
    if (!body->is_object()) break;
    if (const auto* value = body->get_object().if_contains("value"); value && value->is_array()) {
      for (const auto& item : value->get_array()) items.push_back(item);
    }
    if (const auto* link = body->get_object().if_contains("nextLink"); link && link->is_string()) {
      next = std::string(link->get_string());
    }
  }
  return items;
}

core::Result<json::value> BatchAiClient::send_sync(std::string_view method, std::string_view path,
                                                   const json::value& body) {
  auto response = rest_.send(method, with_version(path), json::serialize(body));
  if (!response) return response.error();
  if (!ok(response->status)) return error_from_response(*response);
  if (response->status == 202) {
    if (auto waited = wait_operation(*response); !waited) return waited.error();
    return get(path);
  }
  return parse_body(*response);
}

core::Result<json::value> BatchAiClient::put_lro(std::string_view path, const json::value& body, bool wait) {
  auto response = rest_.send("PUT", with_version(path), json::serialize(body));
  if (!response) return response.error();
  if (!ok(response->status)) return error_from_response(*response);
  if (response->status == 202 && wait) {
    if (auto waited = wait_operation(*response); !waited) return waited.error();
  }
  if (response->status == 202 || response->body.empty()) return get(path);
  return parse_body(*response);
}

core::Result<void> BatchAiClient::action_lro(std::string_view method, std::string_view path, bool wait) {
  auto response = rest_.send(method, with_version(path));
  if (!response) return response.error();
  if (!ok(response->status)) return error_from_response(*response);
  if (response->status == 202 && wait) return wait_operation(*response);
  return {};
}

core::Result<json::value> BatchAiClient::post(std::string_view path, std::string_view query) {
  auto response = rest_.send("POST", with_version(path, query));
  if (!response) return response.error();
  if (!ok(response->status)) return error_from_response(*response);
  return parse_body(*response);
}

core::Result<void> BatchAiClient::wait_operation(const RestResponse& accepted) {
  std::string poll(accepted.header("Azure-AsyncOperation"));
  if (poll.empty()) poll = std::string(accepted.header("Location"));
  if (poll.empty()) return {};  // nothing to follow: the server finished at once
  while (true) {
    std::chrono::milliseconds delay = poll_interval_;
    const std::string_view retry = accepted.header("Retry-After");
    int seconds = 0;
    if (!retry.empty() &&
        std::from_chars(retry.data(), retry.data() + retry.size(), seconds).ec == std::errc{}) {
      delay = std::min(delay, std::chrono::milliseconds(seconds * 1000));
    }
    auto response = rest_.send("GET", poll);
    if (!response) return response.error();
    if (!ok(response->status)) return error_from_response(*response);
    auto body = parse_body(*response);
    if (!body) return body.error();
    std::string status;
    if (body->is_object()) {
      if (const auto* s = body->get_object().if_contains("status"); s && s->is_string())
        status = s->get_string();
    }
    if (status == "Succeeded") return {};
    if (status == "Failed" || status == "Canceled") {
      RestResponse failed{400, {}, response->body};
      auto error = error_from_response(failed);
      if (error.code.starts_with("HttpError")) {
        error.code = "OperationFailed";
        error.message = "The operation ended with status " + status;
      }
      return error;
    }
    std::this_thread::sleep_for(delay);
  }
}

}  // namespace emu::cli
