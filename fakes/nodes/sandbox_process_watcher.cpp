#include "fakes/nodes/sandbox_process_watcher.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <fmt/format.h>

namespace emu::fakes {

struct SandboxProcessWatcher::Watch {
  pid_t pid = 0;
  OnExit on_exit;
  std::unique_ptr<boost::asio::posix::stream_descriptor> fd;
};

namespace {

int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

std::vector<char*> c_strings(std::vector<std::string>& items) {
  std::vector<char*> out;
  out.reserve(items.size() + 1);
  for (auto& s : items) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Moves `pid` into each cgroup directory. A process that already exited (ESRCH) is left to its exit
// callback; any other failure is an error.
core::Result<void> join_cgroups(pid_t pid, const std::vector<std::filesystem::path>& cgroups) {
  const std::string text = std::to_string(pid);
  for (const auto& dir : cgroups) {
    const std::filesystem::path procs = dir / "cgroup.procs";
    const int fd = ::open(procs.c_str(), O_WRONLY | O_CLOEXEC);
    const bool written =
        fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    const int error = written ? 0 : errno;
    if (fd >= 0) ::close(fd);
    if (!written && error != ESRCH) {
      return core::Error::internal(
          fmt::format("cannot move process {} into cgroup {}: {}", pid, dir.string(), std::strerror(error)));
    }
  }
  return {};
}

}  // namespace

SandboxProcessWatcher::SandboxProcessWatcher(boost::asio::io_context& io) : io_(io) {}

SandboxProcessWatcher::~SandboxProcessWatcher() {
  for (auto& [pid, w] : watched_) {
    w->on_exit = nullptr;
    if (w->fd) w->fd->close();
  }
}

core::Result<pid_t> SandboxProcessWatcher::spawn(const SpawnSpec& spec, OnExit on_exit) {
  if (spec.argv.empty()) return core::Error::internal("spawn: empty argv");
  std::vector<std::string> argv;
  if (!spec.cgroups.empty()) {
    // The shell joins the cgroups and then becomes the command: no descendant can start outside them.
    // spawn() also moves it there itself before it returns (join_cgroups), so that a kill of the
    // cgroup right after spawn() cannot miss a shell that has not run yet.
    argv = {"/bin/sh", "-c",
            "n=$0; while [ \"$n\" -gt 0 ]; do echo $$ > \"$1/cgroup.procs\" || exit 125; shift; n=$((n-1)); done; "
            "exec \"$@\"",
            std::to_string(spec.cgroups.size())};
    for (const auto& dir : spec.cgroups) argv.push_back(dir.string());
  }
  argv.insert(argv.end(), spec.argv.begin(), spec.argv.end());
  std::vector<std::string> env = spec.env;
  auto c_argv = c_strings(argv);
  auto c_env = c_strings(env);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string out = spec.stdout_path.empty() ? "/dev/null" : spec.stdout_path.string();
  const std::string err = spec.stderr_path.empty() ? "/dev/null" : spec.stderr_path.string();
  if (spec.stdin_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, spec.stdin_fd, 0);
  } else {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  if (spec.stdout_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, spec.stdout_fd, 1);
  } else {
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  }
  if (spec.stderr_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, spec.stderr_fd, 2);
  } else {
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t defaults;
  sigfillset(&defaults);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, c_argv[0], &actions, &attr, c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return core::Error::internal(fmt::format("cannot start {}: {}", spec.argv[0], std::strerror(rc)));
  }
  if (auto joined = join_cgroups(pid, spec.cgroups); !joined) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return joined.error();
  }
  if (auto w = watch(pid, std::move(on_exit)); !w) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return w.error();
  }
  return pid;
}

core::Result<void> SandboxProcessWatcher::watch(pid_t pid, OnExit on_exit) {
  const int fd = pidfd_open(pid);
  if (fd < 0) return core::Error::internal(fmt::format("pidfd_open({}): {}", pid, std::strerror(errno)));
  auto w = std::make_shared<Watch>();
  w->pid = pid;
  w->on_exit = std::move(on_exit);
  w->fd = std::make_unique<boost::asio::posix::stream_descriptor>(io_, fd);
  watched_[pid] = w;
  arm(w);
  return {};
}

void SandboxProcessWatcher::arm(const std::shared_ptr<Watch>& w) {
  w->fd->async_wait(boost::asio::posix::stream_descriptor::wait_read, [this, w](const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted) return;
    int status = 0;
    const pid_t r = ::waitpid(w->pid, &status, WNOHANG);
    if (r == 0) {  // readable but not yet reapable: wait again
      arm(w);
      return;
    }
    const int code = r == w->pid ? exit_code_of(status) : 255;
    w->fd->close();
    auto it = watched_.find(w->pid);
    if (it != watched_.end() && it->second == w) watched_.erase(it);
    if (w->on_exit) {
      OnExit callback = std::move(w->on_exit);
      callback(code);
    }
  });
}

void SandboxProcessWatcher::forget(pid_t pid) {
  if (auto it = watched_.find(pid); it != watched_.end()) it->second->on_exit = nullptr;
}

}  // namespace emu::fakes
