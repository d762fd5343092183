#pragma once
// AuthHandler: the RequestHandler decorator of `serve --auth token`. A request needs a bearer JWT
// signed with the emulator's key (TokenSigner); a path under /subscriptions/S/ answers 403 unless
// the token names S, so one subscription sees nothing of another (lists live under their own path).
// Health and the signed download links (they carry their own signature, like SAS URLs) stay open.
//   AuthHandler auth(inner, std::move(signer), [] { return unix_now(); });  auth.handle(request);

#include "emulator/api/cloud_error.hpp"
#include "emulator/api/request_handler.hpp"
#include "emulator/server/token_signer.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>

namespace emu::server {

class AuthHandler final : public api::RequestHandler {
 public:
  // `unix_now` is the wall clock in seconds: tokens expire in real time, whatever the sim clock does.
  AuthHandler(api::RequestHandler& next, TokenSigner signer, std::function<std::int64_t()> unix_now = &wall_clock)
      : next_(next), signer_(std::move(signer)), unix_now_(std::move(unix_now)) {}

  api::HttpResponse handle(const api::HttpRequest& request) override {
    const std::string_view path = path_of(request.target);
    if (is_open(path)) return next_.handle(request);
    const std::string_view authorization = request.header("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (authorization.size() <= kBearer.size() || !api::iequals(authorization.substr(0, kBearer.size()), kBearer)) {
      return challenge(core::Error{core::ErrorKind::kUnauthorized, "AuthenticationFailed",
                                   "this emulator runs with --auth token: send 'Authorization: Bearer JWT' with a "
                                   "token from 'batchai-emulator token --subscription ID --data-dir DIR'",
                                   {}});
    }
    auto claims = signer_.verify(authorization.substr(kBearer.size()), unix_now_());
    if (!claims) return challenge(claims.error());
    if (auto subscription = subscription_of(path); !subscription.empty() &&
                                                   !api::iequals(subscription, claims->subscription)) {
      return api::error_response(core::Error{
          core::ErrorKind::kForbidden, "AuthorizationFailed",
          "the bearer token is scoped to subscription '" + claims->subscription +
              "' and does not grant access to subscription '" + std::string(subscription) + "'",
          {}});
    }
    return next_.handle(request);
  }

  // "/subscriptions/S/..." -> "S"; empty for any other path.
  static std::string_view subscription_of(std::string_view path) {
    constexpr std::string_view kPrefix = "/subscriptions/";
    if (path.size() <= kPrefix.size() || !api::iequals(path.substr(0, kPrefix.size()), kPrefix)) return {};
    path.remove_prefix(kPrefix.size());
    return path.substr(0, path.find('/'));
  }

 private:
  static std::int64_t wall_clock() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  static std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

  static bool is_open(std::string_view path) {
    return path == "/emulator/v1/health" || path.starts_with("/emulator/v1/files/");
  }

  static api::HttpResponse challenge(const core::Error& error) {
    api::HttpResponse response = api::error_response(error);
    response.set_header("WWW-Authenticate", "Bearer realm=\"batchai-emulator\", error=\"invalid_token\"");
    return response;
  }

  api::RequestHandler& next_;
  TokenSigner signer_;
  std::function<std::int64_t()> unix_now_;
};

}  // namespace emu::server
