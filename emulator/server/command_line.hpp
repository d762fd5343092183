#pragma once
// CommandLine: which subcommand main() runs and with what options. A pure function of argv, so the
// whole command-line contract (names, forms, errors) is tested without starting a process.
//   core::Result<CommandLine> cl = parse_command_line(std::vector<std::string_view>{"serve", "--seed=3"});
//   if (cl && cl->command == Command::kServe) return run_serve(cl->serve);

#include "emulator/core/result.hpp"
#include "emulator/server/replay_options.hpp"
#include "emulator/server/serve_options.hpp"

#include <span>
#include <string>
#include <string_view>

namespace emu::server {

enum class Command {
  kServe,
  kReplay,
  kVersion,  // --version
  kHelp,     // --help, -h or `help [COMMAND]`; `help_text` holds what to print
};

struct CommandLine {
  Command command = Command::kHelp;
  ServeOptions serve;
  ReplayOptions replay;
  std::string help_text;
};

// `args` exclude argv[0]. A subcommand's own --help becomes kHelp with that subcommand's usage.
core::Result<CommandLine> parse_command_line(std::span<const std::string_view> args);

std::string program_usage();
// "batchai-emulator 0.1.0 (Microsoft.BatchAI 2018-05-01)"
std::string version_text();

}  // namespace emu::server
