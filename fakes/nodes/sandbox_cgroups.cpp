#include "fakes/nodes/sandbox_cgroups.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>

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

bool has_word(const std::string& text, std::string_view word, char separator = ' ') {
  std::istringstream in(text);
  std::string w;
  while (std::getline(in, w, separator)) {
    while (!w.empty() && (w.back() == '\n' || w.back() == ' ')) w.pop_back();
    if (w == word) return true;
  }
  return false;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

struct CgroupMount {
  fs::path root;  // the cgroup the mount shows at its top (usually "/")
  fs::path mount_point;
};

// The cgroup mount of version 2 (`controller` empty) or the v1 mount that holds `controller`.
std::optional<CgroupMount> find_mount(std::string_view controller) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    const auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream rest(line.substr(dash + 3));
    std::string type, source, options;
    rest >> type >> source >> options;
    if (controller.empty() ? type != "cgroup2" : (type != "cgroup" || !has_word(options, controller, ',')))
      continue;
    std::istringstream fields(line);
    std::string id, parent, dev, root, mount_point;
    fields >> id >> parent >> dev >> root >> mount_point;
    return CgroupMount{fs::path(root), fs::path(mount_point)};
  }
  return std::nullopt;
}

// Our own cgroup in the v2 hierarchy (`controller` empty) or in the v1 one of `controller`.
fs::path own_cgroup(std::string_view controller) {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    const auto first = line.find(':');
    const auto second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const bool match = controller.empty() ? line.starts_with("0::") : has_word(controllers, controller, ',');
    if (match) return fs::path(line.substr(second + 1));
  }
  return fs::path("/");
}

// Where our own cgroup lies on the host: the mount point plus our path below the mount's root.
fs::path own_directory(const CgroupMount& mount, const fs::path& own) {
  const std::string root = mount.root.string();
  std::string path = own.string();
  if (root != "/" && path.starts_with(root)) path = path.substr(root.size());
  return mount.mount_point / fs::path(path).relative_path();
}

// Every directory of the subtree, deepest first, `dir` last.
std::vector<fs::path> subtree(const fs::path& dir) {
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_directory(ec)) dirs.push_back(it->path());
  }
  std::vector<fs::path> out(dirs.rbegin(), dirs.rend());
  out.push_back(dir);
  return out;
}

// SIGKILLs every process listed in the subtree; returns how many there were.
int kill_listed(const fs::path& dir) {
  int count = 0;
  for (const auto& d : subtree(dir)) {
    std::istringstream procs(read_all(d / "cgroup.procs"));
    pid_t pid = 0;
    while (procs >> pid) {
      if (pid > 0) ::kill(pid, SIGKILL);
      ++count;
    }
  }
  return count;
}

// The pid in a backend's directory name, emu-<pid> or emu-<pid>-<n>; 0 when it is not one.
pid_t owner_pid(const std::string& name) {
  if (!name.starts_with("emu-")) return 0;
  pid_t pid = 0;
  const char* begin = name.data() + 4;
  const char* end = name.data() + name.size();
  const auto [next, ec] = std::from_chars(begin, end, pid);
  if (ec != std::errc() || next == begin || (next != end && *next != '-')) return 0;
  return pid;
}

bool process_alive(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

std::string_view kind_name(bool cpu) { return cpu ? "cpu" : "memory"; }

}  // namespace

std::optional<fs::path> SandboxCgroups::cgroup2_mount() {
  auto mount = find_mount("");
  if (!mount) return std::nullopt;
  return mount->mount_point;
}

std::optional<fs::path> SandboxCgroups::cgroup1_mount(std::string_view controller) {
  auto mount = find_mount(controller);
  if (!mount) return std::nullopt;
  return mount->mount_point;
}

SandboxCgroups::SandboxCgroups(CgroupHierarchies use) {
  // One name per instance: two backends in one process must not kill each other's processes.
  static std::atomic<int> instances{0};
  const std::string name = fmt::format("emu-{}-{}", ::getpid(), instances++);
  std::vector<std::string> problems;
  bool v2_kill = false;

  auto make_base = [&](Kind kind, const fs::path& parent, std::string_view probe) -> bool {
    remove_stale(kind, parent);
    const fs::path base = parent / name;
    std::error_code ec;
    fs::create_directories(base, ec);
    if (ec || !fs::exists(base / probe)) {
      problems.push_back(fmt::format("cannot create a cgroup under {}", parent.string()));
      ::rmdir(base.c_str());
      return false;
    }
    trees_.push_back({kind, base});
    return true;
  };

  if (use != CgroupHierarchies::kVersion1Only) {
    if (auto mount = find_mount("");
        mount && make_base(Kind::kVersion2, own_directory(*mount, own_cgroup("")), "cgroup.procs")) {
      const fs::path& base = trees_.back().base;
      v2_kill = fs::exists(base / "cgroup.kill");
      // Node cgroups (children of the base) get cpu.max and memory.max where the host delegates them.
      const std::string controllers = read_all(base / "cgroup.controllers");
      for (const bool cpu : {true, false}) {
        const std::string_view c = kind_name(cpu);
        if (has_word(controllers, c) && write_file(base / "cgroup.subtree_control", fmt::format("+{}", c)) &&
            has_word(read_all(base / "cgroup.subtree_control"), c)) {
          (cpu ? cpu_limit_ : memory_limit_) = Kind::kVersion2;
        }
      }
    }
  }
  if (use != CgroupHierarchies::kVersion2Only) {
    // v1: the freezer (to kill a tree without cgroup.kill) first, then what limits still need.
    struct V1 {
      Kind kind;
      std::string_view controller;
      std::string_view probe;
      bool wanted;
    };
    for (const V1& v1 : {V1{Kind::kFreezer, "freezer", "freezer.state", !v2_kill},
                         V1{Kind::kMemory, "memory", "memory.limit_in_bytes", !memory_limit_},
                         V1{Kind::kCpu, "cpu", "cpu.cfs_quota_us", !cpu_limit_}}) {
      if (!v1.wanted) continue;
      auto mount = find_mount(v1.controller);
      if (!mount) continue;
      if (make_base(v1.kind, own_directory(*mount, own_cgroup(v1.controller)), v1.probe)) {
        if (v1.kind == Kind::kMemory) memory_limit_ = Kind::kMemory;
        if (v1.kind == Kind::kCpu) cpu_limit_ = Kind::kCpu;
      }
    }
  }

  // The tree kill() uses goes first: cgroup.kill, else the freezer, else any.
  if (!v2_kill) {
    std::stable_partition(trees_.begin(), trees_.end(),
                          [](const Tree& t) { return t.kind == Kind::kFreezer; });
  }
  if (trees_.empty()) {
    note_ = problems.empty() ? "the host has no cgroup hierarchy we can use" : problems.front();
    note_ += ": no CPU/memory limits, jobs are stopped by process group";
  } else if (!limits_enforced()) {
    const std::string missing =
        !cpu_limit_ && !memory_limit_ ? "cpu and memory" : (!cpu_limit_ ? "cpu" : "memory");
    note_ = fmt::format(
        "neither a delegated cgroup v2 controller nor a writable cgroup v1 hierarchy for {}: VM size {} "
        "limits are "
        "not enforced",
        missing, missing);
  }
}

SandboxCgroups::~SandboxCgroups() {
  if (trees_.empty()) return;
  kill("");
  for (int i = 0; i < 50 && !remove(""); ++i) ::usleep(10'000);
}

fs::path SandboxCgroups::dir_of(const Tree& tree, const std::string& relative) const {
  return relative.empty() ? tree.base : tree.base / relative;
}

const SandboxCgroups::Tree* SandboxCgroups::find(Kind kind) const {
  for (const auto& t : trees_) {
    if (t.kind == kind) return &t;
  }
  return nullptr;
}

void SandboxCgroups::create(const std::string& relative) {
  for (const auto& tree : trees_) {
    std::error_code ec;
    fs::create_directories(dir_of(tree, relative), ec);
  }
}

std::vector<fs::path> SandboxCgroups::directories(const std::string& relative) const {
  std::vector<fs::path> out;
  out.reserve(trees_.size());
  for (const auto& tree : trees_) out.push_back(dir_of(tree, relative));
  return out;
}

void SandboxCgroups::add_process(const std::string& relative, pid_t pid) {
  for (const auto& tree : trees_) write_file(dir_of(tree, relative) / "cgroup.procs", std::to_string(pid));
}

void SandboxCgroups::limit(const std::string& relative, int vcpus, double memory_gb) {
  constexpr long long kPeriodUs = 100'000;
  if (const Tree* t = cpu_limit_ ? find(*cpu_limit_) : nullptr; t != nullptr && vcpus > 0) {
    const fs::path dir = dir_of(*t, relative);
    if (t->kind == Kind::kVersion2) {
      write_file(dir / "cpu.max", fmt::format("{} {}", vcpus * kPeriodUs, kPeriodUs));
    } else {
      write_file(dir / "cpu.cfs_period_us", std::to_string(kPeriodUs));
      write_file(dir / "cpu.cfs_quota_us", std::to_string(vcpus * kPeriodUs));
    }
  }
  if (const Tree* t = memory_limit_ ? find(*memory_limit_) : nullptr; t != nullptr && memory_gb > 0) {
    const auto bytes = static_cast<long long>(memory_gb * 1024 * 1024 * 1024);
    write_file(dir_of(*t, relative) / (t->kind == Kind::kVersion2 ? "memory.max" : "memory.limit_in_bytes"),
               std::to_string(bytes));
  }
}

void SandboxCgroups::kill(const std::string& relative) {
  if (trees_.empty()) return;
  const Tree& first = trees_.front();
  kill_tree(first.kind, dir_of(first, relative));
}

void SandboxCgroups::kill_tree(Kind kind, const fs::path& dir) {
  if (!fs::exists(dir)) return;
  if (kind == Kind::kVersion2 && fs::exists(dir / "cgroup.kill") && write_file(dir / "cgroup.kill", "1"))
    return;
  const bool freezer = kind == Kind::kFreezer && fs::exists(dir / "freezer.state");
  // A frozen process cannot fork, so one round sees the whole tree; the kill lands when it thaws.
  // Without a freezer a fork may race a round: repeat until nothing is left.
  for (int round = 0; round < 200; ++round) {
    if (freezer && write_file(dir / "freezer.state", "FROZEN")) {
      for (int i = 0; i < 200 && trimmed(read_all(dir / "freezer.state")) != "FROZEN"; ++i) ::usleep(500);
    }
    const int listed = kill_listed(dir);
    if (freezer) write_file(dir / "freezer.state", "THAWED");
    if (listed == 0) return;
    ::usleep(1000);
  }
}

bool SandboxCgroups::remove_tree(const fs::path& dir) {
  if (!fs::exists(dir)) return true;
  bool ok = true;
  for (const auto& d : subtree(dir)) ok = (::rmdir(d.c_str()) == 0 || errno == ENOENT) && ok;
  return ok;
}

bool SandboxCgroups::remove(const std::string& relative) {
  bool ok = true;
  for (const auto& tree : trees_) ok = remove_tree(dir_of(tree, relative)) && ok;
  return ok;
}

void SandboxCgroups::remove_stale(Kind kind, const fs::path& parent) {
  std::error_code ec;
  for (auto it = fs::directory_iterator(parent, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const pid_t pid = owner_pid(it->path().filename().string());
    if (pid <= 0 || pid == ::getpid() || process_alive(pid)) continue;
    // An emulator killed with SIGKILL: its nodes' inits died with it, launcher processes may not have.
    kill_tree(kind, it->path());
    for (int i = 0; i < 20 && !remove_tree(it->path()); ++i) ::usleep(5'000);
  }
}

}  // namespace emu::fakes
