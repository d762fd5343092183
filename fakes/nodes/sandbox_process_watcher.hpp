#pragma once
// SandboxProcessWatcher: starts host processes (posix_spawn, own session, stdout/stderr to files) and
// reports each exit on the io_context thread through a pidfd, never from a signal handler or another
// thread. The backend's node and job processes all start here.
//   auto pid = watcher.spawn({.argv = {"/bin/sh", "-c", "exit 3"}}, [](int code) { /* 3 */ });
//   watcher.forget(*pid);  // no callback any more; the child is still reaped

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "emulator/core/result.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace emu::fakes {

struct SpawnSpec {
  std::vector<std::string> argv{};
  std::vector<std::string> env{};
  std::filesystem::path stdout_path{};  // appended to; empty: /dev/null
  std::filesystem::path stderr_path{};
  // Cgroup directories (one per hierarchy) the process enters before it execs, so that every
  // descendant is in them; the first is entered first. It is in all of them when spawn() returns,
  // so a kill of those cgroups from then on reaches it. Empty: none.
  std::vector<std::filesystem::path> cgroups{};
  // Descriptors to use as stdin/stdout/stderr instead (>= 0; the caller keeps its own copies).
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
};

class SandboxProcessWatcher {
 public:
  // Exit code as a shell reports it: the status, or 128 + the signal that killed it.
  using OnExit = std::function<void(int exit_code)>;

  explicit SandboxProcessWatcher(boost::asio::io_context& io);
  ~SandboxProcessWatcher();
  SandboxProcessWatcher(const SandboxProcessWatcher&) = delete;
  SandboxProcessWatcher& operator=(const SandboxProcessWatcher&) = delete;

  core::Result<pid_t> spawn(const SpawnSpec& spec, OnExit on_exit);
  // Stops reporting `pid`; it is still reaped when it exits.
  void forget(pid_t pid);
  // Starts watching a child this process made some other way (clone of a node's init).
  core::Result<void> watch(pid_t pid, OnExit on_exit);
  std::size_t running() const { return watched_.size(); }
  boost::asio::io_context& io() const { return io_; }

 private:
  struct Watch;
  void arm(const std::shared_ptr<Watch>& w);

  boost::asio::io_context& io_;
  std::unordered_map<pid_t, std::shared_ptr<Watch>> watched_;
};

}  // namespace emu::fakes
