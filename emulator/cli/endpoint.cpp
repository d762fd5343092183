#include "emulator/cli/endpoint.hpp"

#include <algorithm>
#include <cctype>

namespace emu::cli {
namespace {

core::Error invalid(std::string_view url, std::string_view why) {
  return core::Error::bad_request("InvalidEndpoint", "The endpoint '" + std::string(url) + "' " +
                                                         std::string(why) +
                                                         "; give one like https://127.0.0.1:7443");
}

}  // namespace

std::string Endpoint::origin() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return scheme + "://" + (ipv6 ? "[" + host + "]" : host) + ":" + port;
}

core::Result<Endpoint> parse_endpoint(std::string_view url) {
  Endpoint endpoint;
  const auto colon = url.find("://");
  if (colon == std::string_view::npos) return invalid(url, "has no scheme");
  endpoint.scheme = std::string(url.substr(0, colon));
  std::transform(endpoint.scheme.begin(), endpoint.scheme.end(), endpoint.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (endpoint.scheme != "http" && endpoint.scheme != "https")
    return invalid(url, "must start with http:// or https://");
  std::string_view rest = url.substr(colon + 3);
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    endpoint.prefix = std::string(path);
  }
  if (authority.find('@') != std::string_view::npos) return invalid(url, "must not carry a user name");
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return invalid(url, "has an unclosed '[' in its host");
    endpoint.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return invalid(url, "has text after its IPv6 address");
      port = after.substr(1);
    }
  } else {
    const auto port_colon = authority.rfind(':');
    endpoint.host = std::string(authority.substr(0, port_colon));
    if (port_colon != std::string_view::npos) port = authority.substr(port_colon + 1);
  }
  if (endpoint.host.empty()) return invalid(url, "has no host");
  if (port.empty()) {
    endpoint.port = endpoint.tls() ? "443" : "80";
  } else {
    if (port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoi(std::string(port)) > 65535) {
      return invalid(url, "has a port that is not a number from 0 to 65535");
    }
    endpoint.port = std::string(port);
  }
  return endpoint;
}

}  // namespace emu::cli
