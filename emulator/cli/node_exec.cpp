// node exec (clusters and jobs): runs the system's ssh against a node's remote login address, as the
// retired module did with its own SSH client: an optional command (--exec) and port forwards (-L).
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <boost/json/value.hpp>

#include "emulator/cli/commands.hpp"

namespace emu::cli {

namespace json = boost::json;

core::Result<CommandOutput> exec_on_node(CommandContext& ctx, const ArgumentList& args,
                                         const json::value& login_info, const std::string& user) {
  const json::array* nodes = nullptr;
  if (login_info.is_object()) {
    if (const auto* value = login_info.get_object().if_contains("value"); value && value->is_array()) {
      nodes = &value->get_array();
    }
  }
  if (!nodes || nodes->empty()) {
    return core::Error::not_found("NodeNotFound", "There are no nodes to log in to (none allocated yet)");
  }
  const auto wanted = args.value("--node-id");
  const json::value* node = nullptr;
  for (const auto& candidate : *nodes) {
    if (!wanted || field("nodeId")(candidate) == *wanted) {
      node = &candidate;
      break;
    }
  }
  if (!node)
    return core::Error::not_found("NodeNotFound", "No node with id " + *wanted + " (see 'node list')");
  std::vector<std::string> command{"ssh",
                                   "-o",
                                   "StrictHostKeyChecking=no",
                                   "-o",
                                   "UserKnownHostsFile=/dev/null",
                                   "-p",
                                   field("port")(*node)};
  if (auto key = args.value("--ssh-private-key")) {
    command.push_back("-i");
    command.push_back(*key);
  }
  for (const auto& forward : args.values("--address")) {
    command.push_back("-L");
    command.push_back(forward);
  }
  command.push_back(user.empty() ? std::string("root") : user);
  command.back() += "@" + field("ipAddress")(*node);
  if (auto exec = args.value("--exec"))
    command.push_back(*exec);
  else if (!args.values("--address").empty())
    command.push_back("-N");

  ctx.out.flush();
  ctx.err.flush();
  std::vector<char*> argv;
  for (auto& word : command) argv.push_back(word.data());
  argv.push_back(nullptr);
  const pid_t child = fork();
  if (child < 0) return core::Error::internal(std::string("fork failed: ") + std::strerror(errno));
  if (child == 0) {
    execvp("ssh", argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    return core::Error::internal("Could not run ssh; install openssh-client to use node exec");
  }
  CommandOutput output;
  output.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  return output;
}

}  // namespace emu::cli
