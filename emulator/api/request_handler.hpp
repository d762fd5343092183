#pragma once
// RequestHandler: what the server's listeners call for every complete request. Implementations run
// on the server thread (the same one the engine uses), so they need no locks and must not block.
//   class MyHandler : public RequestHandler { HttpResponse handle(const HttpRequest&) override; };

#include "emulator/api/http_message.hpp"

namespace emu::api {

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual HttpResponse handle(const HttpRequest& request) = 0;
};

}  // namespace emu::api
