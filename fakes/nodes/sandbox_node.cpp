#include "fakes/nodes/sandbox_node.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace emu::fakes {

namespace fs = std::filesystem;

namespace {

// Everything the init needs, as C strings prepared before clone: the child must not allocate.
struct InitArgs {
  bool launcher = false;
  int ready_fd = -1;
  std::string hostname;
  std::string node_mnt;
  std::string images_dir;
  std::string images_target;
  std::string data_dir;
  std::vector<std::string> hidden_devices;
};

// Reports which step failed (a code and errno) to the parent, then exits.
[[noreturn]] void fail(int fd, int step) {
  int message[2] = {step, errno};
  (void)!::write(fd, message, sizeof message);
  ::_exit(1);
}

int init_main(void* raw) {
  auto* a = static_cast<InitArgs*>(raw);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  // Keep only the ready pipe: the node must not hold the emulator's sockets or files.
  if (::dup2(a->ready_fd, 3) < 0) fail(a->ready_fd, 1);
  ::syscall(SYS_close_range, 4U, ~0U, 0U);
  const int fd = 3;
  if (::sethostname(a->hostname.c_str(), a->hostname.size()) != 0) fail(fd, 2);
  if (!a->launcher) {
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0) fail(fd, 3);
    if (::mount(a->node_mnt.c_str(), "/mnt", nullptr, MS_BIND | MS_REC, nullptr) != 0) fail(fd, 4);
    if (::mount(a->images_dir.c_str(), a->images_target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) fail(fd, 5);
    ::mount(nullptr, a->images_target.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr);
    // The data dir holds every node's disk, the store and the secrets: a node sees it empty.
    if (::mount("tmpfs", a->data_dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0700") != 0) fail(fd, 6);
    if (::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) fail(fd, 7);
    ::mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
    for (const auto& dev : a->hidden_devices) ::mount("/dev/null", dev.c_str(), nullptr, MS_BIND, nullptr);
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  const char ok = 'K';
  (void)!::write(fd, &ok, 1);
  ::close(fd);
  // PID 1 of the node: reap whatever is orphaned to it, forever.
  for (;;) {
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    siginfo_t info;
    ::sigwaitinfo(&set, &info);
  }
}

std::string_view step_name(int step) {
  switch (step) {
    case 1: return "dup2";
    case 2: return "sethostname";
    case 3: return "make / a slave mount";
    case 4: return "bind the node disk on /mnt";
    case 5: return "bind the image store";
    case 6: return "hide the data dir";
    case 7: return "mount /proc";
    default: return "start";
  }
}

}  // namespace

core::Result<std::unique_ptr<SandboxNode>> SandboxNode::create(const SandboxNodeSpec& spec) {
  InitArgs args;
  args.launcher = spec.launcher;
  args.hostname = spec.node_id.substr(0, 63);
  const fs::path node_mnt = spec.node_dir / "mnt";
  bool host_bind = false;
  std::optional<BeneathPath> disk;
  if (!spec.launcher) {
    std::error_code ec;
    fs::create_directories(node_mnt, ec);
    fs::create_directories(spec.images_dir, ec);
    if (ec) return core::Error::internal(fmt::format("cannot create {}: {}", node_mnt.string(), ec.message()));
    // The node's disk is a shared mount on the host, a slave in the node: volumes the backend mounts
    // under it later (job-level mounts) appear inside, and nothing mounted inside leaks out.
    if (::mount(node_mnt.c_str(), node_mnt.c_str(), nullptr, MS_BIND, nullptr) != 0 ||
        ::mount(nullptr, node_mnt.c_str(), nullptr, MS_SHARED, nullptr) != 0) {
      return core::Error::internal(fmt::format("cannot make {} a shared mount: {}", node_mnt.string(), std::strerror(errno)));
    }
    host_bind = true;
    // Opened on the shared bind, so that what the host mounts through it appears inside the node. A
    // disk left by an earlier run may hold a job's links: the images folder is made without them.
    auto opened = BeneathPath::open(node_mnt, BeneathPath::Links::kRefuse, "/mnt/");
    auto images = opened ? opened->make_directories("emulator-images") : core::Result<UniqueFd>(opened.error());
    if (!images) {
      ::umount2(node_mnt.c_str(), MNT_DETACH);
      return images.error();
    }
    disk = std::move(*opened);
    args.node_mnt = node_mnt.string();
    args.images_dir = spec.images_dir.string();
    args.images_target = std::string(kImagesMount);
    args.data_dir = spec.data_dir.string();
    for (int gpu : spec.hidden_gpus) {
      const std::string dev = fmt::format("/dev/nvidia{}", gpu);
      if (fs::exists(dev)) args.hidden_devices.push_back(dev);
    }
  }
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return core::Error::internal("pipe2 failed");
  args.ready_fd = pipe_fds[1];
  std::vector<char> stack(256 * 1024);
  int flags = CLONE_NEWUTS | CLONE_NEWNET | SIGCHLD;
  if (!spec.launcher) flags |= CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC;
  const pid_t pid = ::clone(init_main, stack.data() + stack.size(), flags, &args);
  const int clone_errno = errno;
  ::close(pipe_fds[1]);
  auto undo_bind = [&] {
    if (host_bind) ::umount2(node_mnt.c_str(), MNT_DETACH);
  };
  if (pid < 0) {
    ::close(pipe_fds[0]);
    undo_bind();
    return core::Error::internal(fmt::format("cannot create the namespaces of node {}: {}", spec.node_id,
                                             std::strerror(clone_errno)));
  }
  int message[2] = {0, 0};
  const ssize_t got = ::read(pipe_fds[0], message, sizeof message);
  ::close(pipe_fds[0]);
  if (got != 1) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    undo_bind();
    return core::Error::internal(fmt::format("node {} sandbox: cannot {}: {}", spec.node_id, step_name(message[0]),
                                             got == sizeof message ? std::strerror(message[1]) : "init died"));
  }
  std::optional<BeneathPath> view;
  if (!spec.launcher) {
    auto root = BeneathPath::open(fmt::format("/proc/{}/root", pid), BeneathPath::Links::kInRoot, "/");
    if (!root) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      undo_bind();
      return root.error();
    }
    view = std::move(*root);
  }
  return std::unique_ptr<SandboxNode>(new SandboxNode(spec, pid, host_bind, std::move(disk), std::move(view)));
}

SandboxNode::~SandboxNode() {
  ::kill(pid_, SIGKILL);
  if (reap_) ::waitpid(pid_, nullptr, 0);
  if (host_bind_) ::umount2((spec_.node_dir / "mnt").c_str(), MNT_DETACH);
}

std::vector<std::string> SandboxNode::enter_argv(const std::string& shell_command) const {
  std::vector<std::string> argv = {"nsenter", "-t", std::to_string(pid_)};
  if (spec_.launcher) {
    argv.insert(argv.end(), {"-n", "-u"});
  } else {
    argv.insert(argv.end(), {"-m", "-u", "-i", "-n", "-p"});
  }
  argv.insert(argv.end(), {"--", "/bin/sh", "-c", shell_command});
  return argv;
}

fs::path SandboxNode::host_path(std::string_view inside) const {
  if (!spec_.launcher && (inside == "/mnt" || inside.starts_with("/mnt/"))) {
    return spec_.node_dir / "mnt" / fs::path(inside.substr(4)).relative_path();
  }
  return fs::path(inside);
}

SandboxNode::Location SandboxNode::locate(std::string_view inside) const {
  if (inside == "/mnt" || inside.starts_with("/mnt/")) return {&*disk_, std::string(inside.substr(4))};
  return {&*view_, std::string(inside)};
}

}  // namespace emu::fakes
