#pragma once
// CommandContext and CommandOutput: what every `az batchai` command gets (the ARM client, output
// streams, defaults) and gives back (a result to print, the table columns, an exit code). Commands
// are plain functions, listed in command_table.cpp.
//   core::Result<CommandOutput> workspace_show(CommandContext& ctx, const ArgumentList& args);

#include <chrono>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "emulator/cli/argument_list.hpp"
#include "emulator/cli/batchai_client.hpp"
#include "emulator/cli/output_format.hpp"
#include "emulator/core/result.hpp"

namespace emu::cli {

struct CommandContext {
  BatchAiClient& arm;
  std::ostream& out;
  std::ostream& err;
  std::string location;  // for new workspaces (-l overrides)
  std::string data_dir;  // the local server's data dir: node exec enters its node sandboxes
  std::chrono::milliseconds poll_interval{1000};
};

struct CommandOutput {
  boost::json::value value;  // null: nothing to print (the command wrote its own output)
  std::vector<Column> columns;
  int exit_code = 0;
};

using CommandFunction = core::Result<CommandOutput> (*)(CommandContext&, const ArgumentList&);

struct CommandSpec {
  std::string_view path;  // words after "batchai", e.g. "cluster node list"
  std::span<const FlagSpec> flags;
  CommandFunction run;
  std::string_view help;
};

// Every command of the tree, in help order.
std::span<const CommandSpec> command_table();

// Shared helpers of the command files.
boost::json::object& object_at(boost::json::object& parent, std::string_view key);
boost::json::array& array_at(boost::json::object& parent, std::string_view key);
// The "properties" object of a config file ({"properties": {...}}; a file without that key is taken
// as the properties themselves). Unknown keys are kept: the server ignores them.
core::Result<boost::json::object> load_properties(const std::string& file);
// A usage error (exit code 2) about `flag`.
core::Error usage_error(std::string message, std::string_view flag = {});

}  // namespace emu::cli
