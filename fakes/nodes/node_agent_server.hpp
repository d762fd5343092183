#pragma once
// NodeAgentServer: the backend's end of the MPI launch agent, one per job. It listens on unix
// sockets (one in each node's job temp dir, one on the host for the launcher) and answers exactly
// one request: "run this command on node <address or hostname> of this job", with the caller's
// stdin/stdout/stderr attached (node_agent_protocol.hpp). Any other host is refused: a job reaches
// its own nodes and nothing else. The backend says how a command runs on a node (nsenter, the
// image root, the node's job cgroup); the server starts it, reports its exit code to the caller,
// and kills it when the caller goes away. Everything runs on the io_context's thread.
//   NodeAgentServer server(io, watcher, {{"node-0", "10.0.0.4"}}, command_on_node);
//   server.listen(job_temp_fd, ".node-agent.sock");

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/result.hpp"
#include "fakes/nodes/sandbox_process_watcher.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace emu::fakes {

struct NodeAgentTarget {
  std::string node_id;  // the node's hostname
  std::string ip;
};

class NodeAgentServer {
 public:
  // How `command` runs on the job's node `node_index` (argv, environment, cgroups; the server sets
  // stdio). nullopt when that node cannot take it any more (the job is ending).
  using CommandOnNode =
      std::function<std::optional<SpawnSpec>(std::size_t node_index, const std::string& command)>;

  NodeAgentServer(boost::asio::io_context& io, SandboxProcessWatcher& watcher,
                  std::vector<NodeAgentTarget> nodes, CommandOnNode command_on_node);
  // Stops listening, removes the sockets, and kills (process group) every command still running.
  ~NodeAgentServer();
  NodeAgentServer(const NodeAgentServer&) = delete;
  NodeAgentServer& operator=(const NodeAgentServer&) = delete;

  // Listens at `name` in the directory open as `directory_fd` (O_PATH is enough; the server keeps
  // its own copy). Through the descriptor, the directory's path may be of any length.
  core::Result<void> listen(int directory_fd, const std::string& name);
  std::size_t running() const;
  // mpirun hands its own agent on to every daemon it starts (-mca plm_rsh_agent "..."); where that
  // is the launcher's, which does not exist inside nodes, commands get the nodes' agent instead.
  void replace_agent(std::string launcher_agent, std::string node_agent);

  static constexpr std::size_t kMaxConnections = 256;

 private:
  struct Listener;
  struct Connection;

  void do_accept(Listener& listener);
  void on_accept(Listener& listener);
  void do_read(std::uint64_t id);
  void on_read(std::uint64_t id);
  void start(Connection& connection, const std::string& host, const std::string& command,
             const int (&stdio)[3]);
  void on_exit(std::uint64_t id, int code);
  void reply(Connection& connection, int code, const std::string& message);
  void close(std::uint64_t id);

  boost::asio::io_context& io_;
  SandboxProcessWatcher& watcher_;
  std::vector<NodeAgentTarget> nodes_;
  CommandOnNode command_on_node_;
  std::string launcher_agent_;
  std::string node_agent_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::map<std::uint64_t, std::unique_ptr<Connection>> connections_;
  std::uint64_t next_id_ = 1;
  // Handlers hold a weak copy: one that runs after the server is gone does nothing.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace emu::fakes
