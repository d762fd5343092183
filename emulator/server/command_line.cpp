#include "emulator/server/command_line.hpp"

#include "emulator/server/argument_reader.hpp"

#include <fmt/format.h>

#ifndef EMU_VERSION
#define EMU_VERSION "0.0.0"
#endif

namespace emu::server {

core::Result<CommandLine> parse_command_line(std::span<const std::string_view> args) {
  CommandLine result;
  ArgumentReader reader("", args);
  if (reader.done()) {
    return reader.error(
        "no command given: use 'batchai-emulator serve' or 'batchai-emulator replay SCENARIO'; run "
        "'batchai-emulator --help' for usage");
  }
  const ArgumentReader::Word word = reader.next();
  const auto rest = args.subspan(1);
  if (word.name == "serve") {
    auto serve = parse_serve_options(rest);
    if (!serve) return std::move(serve).error();
    result.serve = std::move(*serve);
    if (result.serve.show_help) {
      result.command = Command::kHelp;
      result.help_text = serve_usage();
    } else {
      result.command = Command::kServe;
    }
    return result;
  }
  if (word.name == "replay") {
    auto replay = parse_replay_options(rest);
    if (!replay) return std::move(replay).error();
    result.replay = std::move(*replay);
    if (result.replay.show_help) {
      result.command = Command::kHelp;
      result.help_text = replay_usage();
    } else {
      result.command = Command::kReplay;
    }
    return result;
  }
  if (word.name == "help" && !word.is_flag) {
    result.command = Command::kHelp;
    if (reader.done()) {
      result.help_text = program_usage();
    } else {
      const ArgumentReader::Word topic = reader.next();
      if (topic.name == "serve") {
        result.help_text = serve_usage();
      } else if (topic.name == "replay") {
        result.help_text = replay_usage();
      } else {
        return reader.error(fmt::format("no help on '{}': the commands are serve and replay", topic.name),
                            std::string(topic.name));
      }
      if (!reader.done()) {
        reader.next();
        return reader.unexpected_argument();
      }
    }
    return result;
  }
  if (!word.is_flag) {
    return reader.error(fmt::format("unknown command '{}': the commands are serve, replay, sweep, az, token and node-shell; run "
                                    "'batchai-emulator --help' for usage",
                                    word.name),
                        std::string(word.name));
  }
  if (word.name == "--version" || word.name == "--help" || word.name == "-h") {
    if (auto ok = reader.no_value(); !ok) return std::move(ok).error();
    if (!reader.done()) {
      reader.next();
      return reader.unexpected_argument();
    }
    result.command = word.name == "--version" ? Command::kVersion : Command::kHelp;
    if (result.command == Command::kHelp) result.help_text = program_usage();
    return result;
  }
  return reader.unknown_flag();
}

std::string program_usage() {
  return R"(Usage: batchai-emulator COMMAND [OPTIONS]

A local emulator of Azure Batch AI (Microsoft.BatchAI, REST API 2018-05-01).

Commands:
  serve                  serve the REST API over HTTPS and HTTP (see 'batchai-emulator serve --help')
  replay SCENARIO        run a scenario (or a --record file) on the virtual clock (see 'replay --help')
  sweep SCENARIO         run a scenario over a range of seeds on two processes (see 'sweep --help')
  az batchai ...         the commands of the retired `az batchai` CLI, against this emulator
                         (see 'batchai-emulator az batchai --help' and docs/cli.md)
  token --subscription S a bearer token for 'serve --auth token' (see 'token --help')
  node-shell NODE_ID     a shell inside a container-backed node (see 'node-shell --help')
  help [COMMAND]         show this help, or a command's

Options:
  --version              print the version
  -h, --help             show this help
)";
}

std::string version_text() {
  return fmt::format("batchai-emulator {} (Microsoft.BatchAI 2018-05-01)", EMU_VERSION);
}

}  // namespace emu::server
