#pragma once
// The one place where a core::Error becomes an HTTP status and an ARM CloudError body
// ({"error":{"code","message","target"}}). Both the router and the server (for errors it detects
// itself, like a body over the size limit) answer errors through here.
//   return error_response(core::Error::not_found("JobNotFound", "The specified job j1 is not found"));

#include "emulator/api/http_message.hpp"
#include "emulator/core/error.hpp"

namespace emu::api {

int http_status_of(core::ErrorKind kind);
HttpResponse error_response(const core::Error& error);

}  // namespace emu::api
