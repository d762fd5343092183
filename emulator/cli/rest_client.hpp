#pragma once
// RestClient: one blocking HTTP(S) request at a time to the emulator, over Boost.Beast, with a bearer
// token and the emulator's CA. Transport failures are errors; any HTTP status is a response.
//   RestClient client(endpoint, {.ca_file = "data/tls/ca.pem"});
//   auto response = client.send("GET", "/emulator/v1/health");

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/cli/endpoint.hpp"
#include "emulator/core/result.hpp"

namespace emu::cli {

struct RestClientOptions {
  std::string ca_file;               // PEM file of the CA that signed the server; empty: system CAs
  bool verify = true;                // false: accept any certificate (--insecure)
  std::string token = "emulator";    // sent as "Authorization: Bearer <token>"
  std::chrono::seconds timeout{60};  // for one whole request
};

struct RestResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::string_view header(std::string_view name) const;  // case-insensitive; empty if absent
};

class RestClient {
 public:
  RestClient(Endpoint endpoint, RestClientOptions options);
  ~RestClient();
  RestClient(const RestClient&) = delete;
  RestClient& operator=(const RestClient&) = delete;

  // `target` is a path and query (the endpoint's prefix is put in front) or an absolute URL on the
  // same origin, as in nextLink and Azure-AsyncOperation headers. Extra headers come last.
  core::Result<RestResponse> send(std::string_view method, std::string_view target,
                                  std::string_view body = {},
                                  const std::vector<std::pair<std::string, std::string>>& headers = {});

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  struct Tls;
  std::string path_of(std::string_view target) const;

  Endpoint endpoint_;
  RestClientOptions options_;
  std::unique_ptr<Tls> tls_;  // the TLS context, made on first use of an https endpoint
};

}  // namespace emu::cli
