#pragma once
// Writing an api::HttpResponse's status line and headers as HTTP/1.x text, with the framing the
// server owns (Content-Length, Connection) and the ARM request-id headers. Appends into a buffer the
// session reuses, so a response head costs no allocation once the buffer has grown.
//   head.clear();
//   bool send_body = append_response_head(head, response, {.version = 11, .keep_alive = true}, ids);

#include "emulator/api/http_message.hpp"
#include "emulator/server/request_id_generator.hpp"

#include <string>
#include <string_view>

namespace emu::server {

struct ResponseFraming {
  int version = 11;           // the request's: 10 or 11
  bool keep_alive = true;     // false adds "Connection: close"
  bool head_request = false;  // HEAD: the GET response's headers, no body
  // The client's ids; each one is echoed when present, else a fresh UUID is made.
  std::string_view client_request_id;       // -> x-ms-request-id (and echoed as x-ms-client-request-id)
  std::string_view correlation_request_id;  // -> x-ms-correlation-request-id
};

// Header names the handler set are kept as it spelled them, except Content-Length,
// Transfer-Encoding and Connection, which the server writes itself. CR, LF and other control
// characters in a value or the reason become spaces; a header whose name is not an HTTP token is
// dropped. A status outside 200-599 becomes 500. Returns whether the body must follow (false for
// HEAD, 204 and 304).
bool append_response_head(std::string& out, const api::HttpResponse& response, const ResponseFraming& framing,
                          RequestIdGenerator& ids);

}  // namespace emu::server
