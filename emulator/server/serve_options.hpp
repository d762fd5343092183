#pragma once
// ServeOptions: everything `batchai-emulator serve` is told on its command line, and the pure parser
// that builds it. Parsing touches no file and no socket, so every flag and error is unit-tested.
//   std::vector<std::string_view> args{"--https-port=0", "--backend", "sim"};
//   core::Result<ServeOptions> options = parse_serve_options(args);

#include "emulator/core/log.hpp"
#include "emulator/core/result.hpp"
#include "emulator/core/time.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace emu::server {

enum class Backend { kAuto, kContainer, kSim };

// --auth: kNone accepts any bearer token (or none); kToken accepts only the emulator's own JWTs,
// each scoped to one subscription (auth_handler.hpp, token_signer.hpp).
enum class AuthMode { kNone, kToken };

// "auto", "container" or "sim": the spelling --backend takes and the ready line prints.
std::string_view backend_name(Backend backend);

struct ServeOptions {
  std::filesystem::path data_dir = "./.batchai-emulator";
  bool data_dir_given = false;  // --in-memory keeps TLS files in an explicit --data-dir only
  std::string host = "127.0.0.1";
  std::uint16_t https_port = 7443;  // 0 = pick a free port
  std::uint16_t http_port = 7080;
  Backend backend = Backend::kAuto;
  double time_scale = 1.0;  // simulated seconds per wall second; 0 = only the admin API moves time
  std::uint64_t seed = 1;
  bool in_memory = false;  // no state on disk; see serve_command.hpp for where TLS files go
  std::optional<std::filesystem::path> config_file;
  std::optional<std::filesystem::path> cert_file;  // --cert and --key come together
  std::optional<std::filesystem::path> key_file;
  std::optional<std::filesystem::path> record_file;  // --record: every API request, for replay
  core::log::Level log_level = core::log::Level::kInfo;
  AuthMode auth = AuthMode::kNone;

  // HTTP server limits (HttpServerSettings documents each).
  std::uint64_t max_body_bytes = std::uint64_t{16} << 20;
  std::uint32_t max_connections = 1024;
  core::Duration idle_timeout = std::chrono::seconds(120);
  core::Duration request_timeout = std::chrono::seconds(30);

  bool show_help = false;  // `serve --help`: print serve_usage() and exit 0
};

// `args` are the words after "serve". Both "--flag value" and "--flag=value" work. Errors are
// kBadRequest with code "InvalidCommandLine", `target` naming the flag, and a one-line message that
// says what to do.
core::Result<ServeOptions> parse_serve_options(std::span<const std::string_view> args);

std::string serve_usage();

}  // namespace emu::server
