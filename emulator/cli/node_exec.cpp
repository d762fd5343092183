// node exec (clusters and jobs). The retired module opened SSH to the node; the emulator's nodes run
// no sshd, so a command (--exec, or a shell) runs inside the node's sandbox on this host, as root,
// like `batchai-emulator node-shell`. Port forwards (--address) still go through the system's ssh.
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <boost/json/value.hpp>

#include "emulator/cli/commands.hpp"
#include "fakes/nodes/node_backend_factory.hpp"

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
  const std::string node_id = field("nodeId")(*node);
  if (args.values("--address").empty()) {
    if (!fakes::node_sandbox_running(ctx.data_dir, node_id)) {
      return core::Error::bad_request(
          "NodeNotLocal",
          "Node " + node_id + " has no sandbox under " + ctx.data_dir +
              ": node exec enters container-backed nodes of a local emulator (serve --backend container); give "
              "its --data-dir. Simulated nodes run nothing to enter.");
    }
    ctx.out.flush();
    ctx.err.flush();
    CommandOutput output;
    output.exit_code = fakes::open_node_shell(ctx.data_dir, node_id, args.value("--exec"));
    return output;
  }
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
