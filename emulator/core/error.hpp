#pragma once
// Error: what went wrong, as the engine and the model report it. The router translates it once into an
// HTTP status and a CloudError body; nothing below the api/ layer knows about HTTP.
//   return core::Error::not_found("JobNotFound", fmt::format("The specified job {} is not found", n));

#include <string>
#include <utility>

namespace emu::core {

// How an error is classified; the api layer maps each kind to one HTTP status.
enum class ErrorKind {
  kBadRequest,        // 400: the client sent something invalid
  kNotFound,          // 404
  kMethodNotAllowed,  // 405
  kConflict,          // 409: the resource is in a state that forbids the call
  kPayloadTooLarge,   // 413
  kUnauthorized,      // 401
  kForbidden,         // 403
  kTooManyRequests,   // 429: an emulator limit was reached
  kInternal,          // 500: a bug or an environment failure on our side
};

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string code;     // CloudError code, e.g. "JobNotFound", "InvalidRequestContent"
  std::string message;  // what happened and, where it helps, what to do
  std::string target;   // the field or parameter at fault, e.g. "properties.nodeCount"

  static Error bad_request(std::string code, std::string message, std::string target = {}) {
    return {ErrorKind::kBadRequest, std::move(code), std::move(message), std::move(target)};
  }
  static Error not_found(std::string code, std::string message) {
    return {ErrorKind::kNotFound, std::move(code), std::move(message), {}};
  }
  static Error conflict(std::string code, std::string message) {
    return {ErrorKind::kConflict, std::move(code), std::move(message), {}};
  }
  static Error internal(std::string message) {
    return {ErrorKind::kInternal, "InternalServerError", std::move(message), {}};
  }
};

}  // namespace emu::core
