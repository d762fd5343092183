#pragma once
// run_serve: the `batchai-emulator serve` process. Makes the data dir and TLS material, builds the
// application (make_application), starts HttpServer on one io_context run on this thread, prints the
// ready line on stdout and serves until SIGINT/SIGTERM, then stops gracefully and saves state.
//   return run_serve(command_line.serve);   // exit code: 0 after a clean stop, 1 if start-up failed
//
// TLS files: <data-dir>/tls/ by default. --in-memory stores no state; its TLS files go to a
// temporary folder removed at exit, unless --data-dir was given, in which case <data-dir>/tls/ is
// used (so a CA trusted once stays valid across in-memory runs). --cert/--key use the given files.

#include "emulator/server/serve_options.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace emu::server {

int run_serve(const ServeOptions& options);

// "ready https=https://HOST:PORT http=http://HOST:PORT ca=PATH backend=NAME", HOST as given by
// --host (an IPv6 literal in brackets, as URLs need).
std::string ready_line(std::string_view host, std::uint16_t https_port, std::uint16_t http_port,
                       const std::filesystem::path& ca_file, std::string_view backend);

}  // namespace emu::server
