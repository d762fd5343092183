#include "fakes/nodes/sandbox_cgroups.hpp"

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>

namespace emu::fakes {

namespace fs = std::filesystem;

namespace {

std::string read_all(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.flush();
  return static_cast<bool>(out);
}

bool has_word(const std::string& text, std::string_view word) {
  std::istringstream in(text);
  std::string w;
  while (in >> w) {
    if (w == word) return true;
  }
  return false;
}

}  // namespace

std::optional<fs::path> SandboxCgroups::cgroup2_mount() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    const auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream rest(line.substr(dash + 3));
    std::string type;
    rest >> type;
    if (type != "cgroup2") continue;
    std::istringstream fields(line);
    std::string id, parent, dev, root, mount_point;
    fields >> id >> parent >> dev >> root >> mount_point;
    return fs::path(mount_point);
  }
  return std::nullopt;
}

SandboxCgroups::SandboxCgroups() {
  auto mount = cgroup2_mount();
  if (!mount) {
    note_ = "the host has no cgroup v2 hierarchy: no CPU/memory limits, jobs are stopped by process group";
    return;
  }
  std::string own = "/";
  {
    std::ifstream in("/proc/self/cgroup");
    std::string line;
    while (std::getline(in, line)) {
      if (line.starts_with("0::")) own = line.substr(3);
    }
  }
  const fs::path parent = *mount / fs::path(own).relative_path();
  const fs::path base = parent / fmt::format("emu-{}", ::getpid());
  std::error_code ec;
  fs::create_directories(base, ec);
  if (ec || !fs::exists(base / "cgroup.procs")) {
    note_ = fmt::format("cannot create a cgroup under {}: no CPU/memory limits, jobs are stopped by process group",
                        parent.string());
    return;
  }
  base_ = base;
  const std::string controllers = read_all(base_ / "cgroup.controllers");
  cpu_ = has_word(controllers, "cpu") && write_file(base_ / "cgroup.subtree_control", "+cpu");
  memory_ = has_word(controllers, "memory") && write_file(base_ / "cgroup.subtree_control", "+memory");
  cpu_ = cpu_ && has_word(read_all(base_ / "cgroup.subtree_control"), "cpu");
  memory_ = memory_ && has_word(read_all(base_ / "cgroup.subtree_control"), "memory");
  if (!cpu_ || !memory_) {
    note_ = fmt::format("the host does not delegate the {} controller(s) to {}: VM size limits are not enforced",
                        !cpu_ && !memory_ ? "cpu and memory" : (!cpu_ ? "cpu" : "memory"), parent.string());
  }
}

SandboxCgroups::~SandboxCgroups() {
  if (base_.empty()) return;
  kill("");
  for (int i = 0; i < 50 && !remove(""); ++i) ::usleep(10'000);
}

fs::path SandboxCgroups::create(const std::string& relative) {
  if (base_.empty()) return {};
  fs::path dir = base_;
  for (const auto& part : fs::path(relative)) {
    dir /= part;
    std::error_code ec;
    if (fs::create_directory(dir, ec) && (cpu_ || memory_) && dir.filename() != "init" && dir.filename() != "job") {
      // Inner cgroups pass the controllers on to their children (limits are set on the node level).
      write_file(dir / "cgroup.subtree_control", std::string(cpu_ ? "+cpu " : "") + (memory_ ? "+memory" : ""));
    }
  }
  return dir;
}

void SandboxCgroups::limit(const std::string& relative, int vcpus, double memory_gb) {
  if (base_.empty()) return;
  const fs::path dir = base_ / relative;
  if (cpu_ && vcpus > 0) write_file(dir / "cpu.max", fmt::format("{} 100000", vcpus * 100000));
  if (memory_ && memory_gb > 0) {
    write_file(dir / "memory.max", std::to_string(static_cast<long long>(memory_gb * 1024 * 1024 * 1024)));
  }
}

void SandboxCgroups::kill(const std::string& relative) {
  if (base_.empty()) return;
  const fs::path dir = relative.empty() ? base_ : base_ / relative;
  if (!fs::exists(dir)) return;
  if (fs::exists(dir / "cgroup.kill") && write_file(dir / "cgroup.kill", "1")) return;
  // Older kernels: kill what is there until nothing is left (a fork may race one round).
  for (int round = 0; round < 20; ++round) {
    bool any = false;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->path().filename() != "cgroup.procs") continue;
      std::istringstream procs(read_all(it->path()));
      pid_t pid = 0;
      while (procs >> pid) {
        ::kill(pid, SIGKILL);
        any = true;
      }
    }
    std::istringstream procs(read_all(dir / "cgroup.procs"));
    pid_t pid = 0;
    while (procs >> pid) {
      ::kill(pid, SIGKILL);
      any = true;
    }
    if (!any) return;
    ::usleep(1000);
  }
}

bool SandboxCgroups::remove(const std::string& relative) {
  if (base_.empty()) return true;
  const fs::path dir = relative.empty() ? base_ : base_ / relative;
  if (!fs::exists(dir)) return true;
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_directory()) dirs.push_back(it->path());
  }
  bool ok = true;
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) ok = (::rmdir(it->c_str()) == 0) && ok;
  return (::rmdir(dir.c_str()) == 0) && ok;
}

}  // namespace emu::fakes
