#include "fakes/nodes/node_backend_factory.hpp"

#include <sched.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "fakes/nodes/container_node_backend.hpp"
#include "fakes/nodes/sandbox_cgroups.hpp"

extern char** environ;

namespace emu::fakes {

namespace {

bool on_path(const char* tool) {
  const std::string command = fmt::format("command -v {} >/dev/null 2>&1", tool);
  return std::system(command.c_str()) == 0;
}

// Forks a child that tries to make the namespaces a node needs.
bool can_make_namespaces() {
  const pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    const int rc = ::unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID);
    ::_exit(rc == 0 ? 0 : 1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

bool container_backend_available(std::string& why_not) {
  why_not.clear();
  if (::geteuid() != 0) {
    why_not = "container nodes need root (mounts, namespaces, network devices); run serve as root";
    return false;
  }
  if (!can_make_namespaces()) {
    why_not = "this host does not allow new PID/mount/UTS/IPC/network namespaces (a restricted container?)";
    return false;
  }
  for (const char* tool : {"nsenter", "ip"}) {
    if (!on_path(tool)) {
      why_not = fmt::format("'{}' is not installed (Debian: util-linux / iproute2)", tool);
      return false;
    }
  }
  std::vector<std::string> notes;
  if (!on_path("mpirun")) notes.push_back("mpirun is missing: MPI toolkit jobs will fail (Debian: openmpi-bin)");
  SandboxCgroups cgroups;
  if (!cgroups.limits_note().empty()) notes.push_back(cgroups.limits_note());
  for (const auto& n : notes) {
    if (!why_not.empty()) why_not += "; ";
    why_not += n;
  }
  return true;
}

std::unique_ptr<engine::NodeBackend> make_container_backend(core::Executor& executor, boost::asio::io_context& io,
                                                            const engine::EngineSettings& settings,
                                                            std::filesystem::path data_dir, StorageService* storage) {
  return std::make_unique<ContainerNodeBackend>(executor, io, settings, std::move(data_dir), storage);
}

namespace {
// The node's init process, from the pid file the backend writes; 0 when it is not running.
long node_init_pid(const std::filesystem::path& data_dir, const std::string& node_id) {
  std::ifstream in(data_dir / "run" / "nodes" / (node_id + ".pid"));
  long pid = 0;
  if (!(in >> pid) || pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) != 0) return 0;
  return pid;
}
}  // namespace

bool node_sandbox_running(const std::filesystem::path& data_dir, const std::string& node_id) {
  return node_init_pid(data_dir, node_id) != 0;
}

int open_node_shell(const std::filesystem::path& data_dir, const std::string& node_id,
                    const std::optional<std::string>& command) {
  const long pid = node_init_pid(data_dir, node_id);
  if (pid == 0) {
    std::fprintf(stderr, "no running node '%s' under %s\n", node_id.c_str(), data_dir.c_str());
    return 1;
  }
  std::vector<std::string> args = {"nsenter", "-t", std::to_string(pid), "-m", "-u", "-i", "-n", "-p", "--",
                                   "/bin/sh", "-c"};
  if (command) {
    args.push_back("cd /mnt/batch/tasks/shared/LS_root 2>/dev/null; " + *command);
  } else {
    args.push_back("cd /mnt/batch/tasks/shared/LS_root; exec \"${SHELL:-/bin/bash}\" -l || exec /bin/sh -l");
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t child = 0;
  if (::posix_spawnp(&child, "nsenter", nullptr, nullptr, argv.data(), environ) != 0) {
    std::fprintf(stderr, "cannot run nsenter\n");
    return 1;
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace emu::fakes
