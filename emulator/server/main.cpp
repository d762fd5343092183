// batchai-emulator: parses the command line and runs the subcommand. Exit codes: 0 success, 1 a
// failure at run time (message on stderr), 2 a usage error (one line on stderr saying what to do).

#include <csignal>
#include <cstdio>
#include <exception>
#include <span>
#include <string_view>
#include <vector>

#include "emulator/cli/az_command.hpp"
#include "emulator/server/command_line.hpp"
#include "emulator/server/serve_command.hpp"
#include "emulator/server/token_command.hpp"
#include "fakes/nodes/node_backend_factory.hpp"
#include "harness/replay_command.hpp"

namespace {

// `node-shell [--data-dir DIR] NODE_ID`: a shell inside a container-backed node.
int run_node_shell(std::span<const std::string_view> args) {
  std::filesystem::path data_dir = "./.batchai-emulator";
  std::string node;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::fputs("Usage: batchai-emulator node-shell [--data-dir DIR] NODE_ID\n\nOpens a shell inside a "
                 "container-backed node (ids from listRemoteLoginInformation or `az batchai cluster node list`).\n",
                 stdout);
      return 0;
    }
    if (args[i] == "--data-dir" && i + 1 < args.size()) {
      data_dir = std::string(args[++i]);
    } else if (args[i].starts_with("--data-dir=")) {
      data_dir = std::string(args[i].substr(11));
    } else if (node.empty() && !args[i].starts_with("-")) {
      node = std::string(args[i]);
    } else {
      std::fprintf(stderr, "batchai-emulator: node-shell: unexpected '%.*s'; see node-shell --help\n",
                   static_cast<int>(args[i].size()), args[i].data());
      return 2;
    }
  }
  if (node.empty()) {
    std::fputs("batchai-emulator: node-shell needs a node id; see node-shell --help\n", stderr);
    return 2;
  }
  return emu::fakes::open_node_shell(data_dir, node);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace emu::server;
  // A client that hangs up mid-response must cost an error code, not the process.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    // Commands with parsers of their own.
    if (!args.empty() && args[0] == "az") return emu::cli::run_az(std::span(args).subspan(1));
    if (!args.empty() && args[0] == "token") return run_token_command(std::span(args).subspan(1));
    if (!args.empty() && args[0] == "node-shell") return run_node_shell(std::span(args).subspan(1));
    if (!args.empty() && args[0] == "sweep") {
      auto sweep = emu::harness::parse_sweep_options(std::span(args).subspan(1));
      if (!sweep) {
        std::fprintf(stderr, "batchai-emulator: %s\n", sweep.error().message.c_str());
        return 2;
      }
      if (sweep->show_help) {
        std::fputs(emu::harness::sweep_usage().c_str(), stdout);
        return 0;
      }
      return emu::harness::run_sweep(*sweep);
    }
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
      case Command::kReplay: {
        const auto& r = command_line->replay;
        emu::harness::ReplayRunOptions options;
        options.scenario = r.scenario;
        options.seed = r.seed;
        options.out_dir = r.out_dir;
        options.check_determinism = r.check_determinism;
        return emu::harness::run_replay(options);
      }
    }
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "batchai-emulator: %s\n", failure.what());
    return 1;
  }
  return 1;
}
