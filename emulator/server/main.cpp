// batchai-emulator: parses the command line and runs the subcommand. Exit codes: 0 success, 1 a
// failure at run time (message on stderr), 2 a usage error (one line on stderr saying what to do).

#include "emulator/server/command_line.hpp"
#include "emulator/server/serve_command.hpp"

#include <csignal>
#include <cstdio>
#include <exception>
#include <string_view>
#include <vector>

int main(int argc, char** argv) {
  using namespace emu::server;
  // A client that hangs up mid-response must cost an error code, not the process.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    auto command_line = parse_command_line(args);
    if (!command_line) {
      std::fprintf(stderr, "batchai-emulator: %s\n", command_line.error().message.c_str());
      return 2;
    }
    switch (command_line->command) {
      case Command::kHelp:
        std::fputs(command_line->help_text.c_str(), stdout);
        return 0;
      case Command::kVersion:
        std::printf("%s\n", version_text().c_str());
        return 0;
      case Command::kServe:
        return run_serve(command_line->serve);
      case Command::kReplay:
        std::fprintf(
            stderr,
            "batchai-emulator: replay is not built yet in this version; use 'batchai-emulator serve' "
            "meanwhile\n");
        return 2;
    }
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "batchai-emulator: %s\n", failure.what());
    return 1;
  }
  return 1;
}
