#include "emulator/server/serve_options.hpp"

#include "emulator/server/argument_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace emu::server {

std::string_view backend_name(Backend backend) {
  switch (backend) {
    case Backend::kAuto:
      return "auto";
    case Backend::kContainer:
      return "container";
    case Backend::kSim:
      return "sim";
  }
  return "auto";
}

namespace {

// A host goes into URLs, the certificate's SAN and the bind call; anything with spaces, slashes or
// brackets is a typo rather than a name or an address.
bool plausible_host(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (const char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == ':' || c == '_' || c == '%';
    if (!ok) return false;
  }
  return true;
}

core::Result<void> parse_flag(ArgumentReader& reader, const ArgumentReader::Word& word,
                              ServeOptions& options) {
  const std::string_view name = word.name;
  if (name == "--help" || name == "-h") {
    options.show_help = true;
    return reader.no_value();
  }
  if (name == "--in-memory") {
    options.in_memory = true;
    return reader.no_value();
  }
  static constexpr std::array<std::string_view, 17> kValueFlags{
      "--data-dir",   "--host",          "--https-port",      "--http-port",    "--backend",
      "--time-scale", "--seed",          "--config",          "--cert",         "--key",
      "--log-level",  "--max-body-size", "--max-connections", "--idle-timeout", "--request-timeout",
      "--record",     "--auth"};
  if (std::find(kValueFlags.begin(), kValueFlags.end(), name) == kValueFlags.end())
    return reader.unknown_flag();
  auto value = reader.value();
  if (!value) return std::move(value).error();
  const std::string_view text = *value;

  if (name == "--data-dir") {
    if (text.empty()) return reader.bad_value(text, "a folder path");
    options.data_dir = std::filesystem::path(text);
    options.data_dir_given = true;
  } else if (name == "--host") {
    if (!plausible_host(text))
      return reader.bad_value(text, "a host name or IP address, e.g. 127.0.0.1 or ::1");
    options.host = std::string(text);
  } else if (name == "--https-port" || name == "--http-port") {
    auto port = reader.port(text);
    if (!port) return std::move(port).error();
    (name == "--https-port" ? options.https_port : options.http_port) = *port;
  } else if (name == "--backend") {
    if (text == "auto") {
      options.backend = Backend::kAuto;
    } else if (text == "container") {
      options.backend = Backend::kContainer;
    } else if (text == "sim") {
      options.backend = Backend::kSim;
    } else {
      return reader.bad_value(text, "a backend: auto, container or sim");
    }
  } else if (name == "--auth") {
    if (text == "none") {
      options.auth = AuthMode::kNone;
    } else if (text == "token") {
      options.auth = AuthMode::kToken;
    } else {
      return reader.bad_value(text, "an auth mode: none or token");
    }
  } else if (name == "--time-scale") {
    auto scale = reader.non_negative_number(text);
    if (!scale) return std::move(scale).error();
    options.time_scale = *scale;
  } else if (name == "--seed") {
    auto seed = reader.unsigned_integer(text, UINT64_MAX);
    if (!seed) return std::move(seed).error();
    options.seed = *seed;
  } else if (name == "--config" || name == "--cert" || name == "--key" || name == "--record") {
    if (text.empty()) return reader.bad_value(text, "a file path");
    auto& slot = name == "--config"   ? options.config_file
                 : name == "--cert"   ? options.cert_file
                 : name == "--record" ? options.record_file
                                      : options.key_file;
    slot = std::filesystem::path(text);
  } else if (name == "--log-level") {
    const auto level = core::log::parse_level(text);
    if (!level) return reader.bad_value(text, "a log level: error, warn, info, debug or off");
    options.log_level = *level;
  } else if (name == "--max-body-size") {
    auto size = reader.byte_size(text);
    if (!size) return std::move(size).error();
    options.max_body_bytes = *size;
  } else if (name == "--max-connections") {
    auto count = reader.unsigned_integer(text, 1'000'000);
    if (!count || *count == 0) return reader.bad_value(text, "a number of connections from 1 to 1000000");
    options.max_connections = static_cast<std::uint32_t>(*count);
  } else if (name == "--idle-timeout" || name == "--request-timeout") {
    auto duration = reader.positive_duration(text);
    if (!duration) return std::move(duration).error();
    (name == "--idle-timeout" ? options.idle_timeout : options.request_timeout) = *duration;
  }
  return {};
}

}  // namespace

core::Result<ServeOptions> parse_serve_options(std::span<const std::string_view> args) {
  ServeOptions options;
  ArgumentReader reader("serve", args);
  while (!reader.done()) {
    const ArgumentReader::Word word = reader.next();
    if (!word.is_flag) return reader.unexpected_argument();
    if (auto parsed = parse_flag(reader, word, options); !parsed) return std::move(parsed).error();
  }
  if (options.show_help) return options;
  if (options.cert_file.has_value() != options.key_file.has_value()) {
    const bool has_cert = options.cert_file.has_value();
    return reader.error(
        fmt::format("{} was given without {}; pass both --cert FILE and --key FILE, or neither to "
                    "use the emulator's own CA{}",
                    has_cert ? "--cert" : "--key", has_cert ? "--key" : "--cert", reader.help_hint()),
        has_cert ? "--key" : "--cert");
  }
  if (options.auth == AuthMode::kToken && options.in_memory && !options.data_dir_given) {
    return reader.error(
        fmt::format("--auth token keeps its signing key in the data dir; with --in-memory pass --data-dir DIR "
                    "too{}",
                    reader.help_hint()),
        "--auth");
  }
  if (options.https_port != 0 && options.https_port == options.http_port) {
    return reader.error(
        fmt::format("--https-port and --http-port are both {}; give them different ports (or 0 "
                    "for a free one){}",
                    options.https_port, reader.help_hint()),
        "--http-port");
  }
  return options;
}

std::string serve_usage() {
  return R"(Usage: batchai-emulator serve [OPTIONS]

Serves the Microsoft.BatchAI 2018-05-01 REST API over HTTPS and HTTP. Once both listeners are up it
prints one line on stdout:
  ready https=https://HOST:PORT http=http://HOST:PORT ca=PATH backend=NAME
then logs to stderr. SIGINT or SIGTERM stops it cleanly (state saved) with exit code 0.

Options (--flag VALUE and --flag=VALUE both work):
  --data-dir DIR          state and TLS files (default ./.batchai-emulator)
  --host HOST             address or name to listen on (default 127.0.0.1)
  --https-port PORT       HTTPS port, 0 = pick a free one (default 7443)
  --http-port PORT        HTTP port, 0 = pick a free one (default 7080)
  --backend NAME          auto | container | sim (default auto: container-backed nodes when the
                          host can make namespaces, else sim; says which at start)
  --time-scale X          sim backend: simulated seconds per wall second; 0 = the clock only
                          moves through POST /emulator/v1/clock/advance (default 1)
  --seed N                seed of every random choice (default 1)
  --in-memory             keep no state on disk; TLS files go to a temporary folder removed at
                          exit, or to DIR/tls when --data-dir is given
  --config FILE           settings file
  --cert FILE --key FILE  serve HTTPS with this certificate chain and key instead of the
                          emulator's own CA (the ready line's ca= is then FILE)
  --record FILE           write every API request with its time to FILE; `replay FILE` reproduces
                          the same state transitions on the virtual clock (sim backend)
  --auth MODE             none: accept any bearer token (default; said at start); token: accept
                          only JWTs from 'batchai-emulator token', each limited to its
                          subscription (key in DIR/auth/token.key)
  --log-level LEVEL       error | warn | info | debug | off (debug logs one line per request;
                          default info)
  --max-body-size SIZE    largest request body, e.g. 16M (default 16M); larger gets 413
  --max-connections N     open connections served at once (default 1024); more get 503
  --idle-timeout T        close keep-alive connections idle this long (default 120 s)
  --request-timeout T     time allowed to send one request or read one response (default 30 s)
  -h, --help              show this help
)";
}

}  // namespace emu::server
