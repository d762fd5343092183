#pragma once
// HttpRequest / HttpResponse: plain HTTP messages as the router sees them. The server/ layer converts
// to and from Boost.Beast, so that the router stays a pure function that tests and fuzzers can call
// without sockets.
//   HttpRequest req{.method = "GET", .target = "/emulator/v1/health"};
//   HttpResponse res = handler.handle(req);

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace emu::api {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;    // upper case, e.g. "GET"
  std::string target;    // path and query as sent, e.g. "/subscriptions/s/...?api-version=2018-05-01"
  HeaderList headers;
  std::string body;
  std::string scheme = "http";  // "https" on the TLS listener; used to build absolute URLs
  std::string remote;           // peer address, for logs

  // Value of the first header named `name` (case-insensitive), or empty.
  std::string_view header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string reason;  // custom reason phrase; empty means the standard one for `status`
  HeaderList headers;
  std::string body;

  void set_header(std::string name, std::string value);
  std::string_view header(std::string_view name) const;
};

// Case-insensitive ASCII comparison, as HTTP header names and ARM path segments need.
bool iequals(std::string_view a, std::string_view b);

}  // namespace emu::api
