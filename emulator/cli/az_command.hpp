#pragma once
// `batchai-emulator az batchai ...`: the command tree of the retired `az batchai` CLI module,
// talking to the emulator over its REST API. `args` are the words after "az"; the exit code is 0 on
// success, 1 when a request failed (or `job wait` saw the job fail), 2 for a usage error.
//   std::vector<std::string_view> words{"batchai", "cluster", "list", "-g", "rg", "-w", "ws"};
//   return emu::cli::run_az(words);

#include <functional>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

namespace emu::cli {

// Where settings come from besides the flags; tests replace `variable` instead of the process's
// environment.
struct AzEnvironment {
  std::function<std::optional<std::string>(std::string_view)> variable;  // default: getenv

  static AzEnvironment process();
};

int run_az(std::span<const std::string_view> args);
int run_az(std::span<const std::string_view> args, const AzEnvironment& environment, std::ostream& out,
           std::ostream& err);

}  // namespace emu::cli
