#pragma once
// Endpoint: where the `az batchai` client sends its requests, parsed from a URL such as
// https://127.0.0.1:7443 (the default) or http://localhost:7080. A path in the URL is kept as a prefix.
//   auto endpoint = parse_endpoint("https://127.0.0.1:7443");  // endpoint->port == "7443"

#include <string>
#include <string_view>

#include "emulator/core/result.hpp"

namespace emu::cli {

struct Endpoint {
  std::string scheme;  // "http" or "https"
  std::string host;    // name or address, without brackets
  std::string port;    // always set: 443/80 when the URL has none
  std::string prefix;  // path before every request path, without a trailing '/', usually empty

  bool tls() const { return scheme == "https"; }
  // scheme://host:port, as it is written in URLs the server hands out (download links).
  std::string origin() const;
};

// Errors name the URL and what is wrong with it (code InvalidEndpoint).
core::Result<Endpoint> parse_endpoint(std::string_view url);

}  // namespace emu::cli
