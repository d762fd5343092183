#pragma once
// HttpServerSettings: where HttpServer listens and the limits that keep one slow or hostile client
// from starving the single server thread. Defaults suit a local emulator driven by SDKs.
//   HttpServerSettings settings{.host = "127.0.0.1", .https_port = 0, .http_port = 0};
//   settings.cert_file = tls.cert_file();  settings.key_file = tls.key_file();

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace emu::server {

struct HttpServerSettings {
  std::string host = "127.0.0.1";  // an address, or a name resolved once at start (first address wins)
  std::optional<std::uint16_t> https_port;  // nullopt: no HTTPS listener; 0: pick a free port
  std::optional<std::uint16_t> http_port;   // nullopt: no HTTP listener; 0: pick a free port
  std::filesystem::path cert_file;          // PEM chain and key for HTTPS; required when https_port is set
  std::filesystem::path key_file;

  // A body over this gets 413 RequestEntityTooLarge and the connection is closed.
  std::uint64_t max_body_bytes = std::uint64_t{16} << 20;
  // Request line plus headers; ARM bearer tokens alone are a few KiB. Over it: 400
  // RequestHeaderFieldsTooLarge, then close.
  std::uint32_t max_header_bytes = 64 * 1024;
  // Connections served at once. Beyond it a connection gets 503 ServerBusy to its first request and
  // is closed; beyond that again by kRefusalSlots (see http_server.cpp) it is closed at once.
  std::uint32_t max_connections = 1024;

  // From a request's first byte to its last, and for writing one response (and the TLS handshake).
  std::chrono::steady_clock::duration request_timeout = std::chrono::seconds(30);
  // A keep-alive connection with no request in progress is closed after this.
  std::chrono::steady_clock::duration idle_timeout = std::chrono::seconds(120);
  // After a response that closes the connection, unread request bytes are drained this long so the
  // client sees the response instead of a reset.
  std::chrono::steady_clock::duration linger_timeout = std::chrono::seconds(2);
  // stop(): in-flight requests get this long to finish before their connections are cut.
  std::chrono::steady_clock::duration stop_deadline = std::chrono::seconds(10);
};

}  // namespace emu::server
