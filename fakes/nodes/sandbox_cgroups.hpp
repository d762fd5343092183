#pragma once
// SandboxCgroups: the cgroups of one backend. The same relative tree (<node id>/{init,job},
// launch-<job>) is made in every hierarchy this host lets us write, each under our own cgroup there
// as emu-<pid>-<n>: cgroup v2, and on v1 or hybrid hosts the v1 memory, cpu and freezer hierarchies.
// A node's cgroup carries its VM size's CPU and memory limits (v2 cpu.max/memory.max where the host
// delegates those controllers, else v1 cpu.cfs_quota_us/memory.limit_in_bytes). kill() ends every
// process of a subtree, setsid'd ones too: cgroup.kill (v2), else freeze, SIGKILL each pid, thaw (v1).
// At start, the dirs of emulators that died without cleaning up (emu-<dead pid>...) are removed.
//   SandboxCgroups cg;  cg.create("node-x/job");
//   watcher.spawn({.argv = ..., .cgroups = cg.directories("node-x/job")}, ...);  cg.kill("node-x/job");

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace emu::fakes {

// Which cgroup versions a backend may use. kAll on real hosts; the others let tests take one path.
enum class CgroupHierarchies { kAll, kVersion1Only, kVersion2Only };

class SandboxCgroups {
 public:
  explicit SandboxCgroups(CgroupHierarchies use = CgroupHierarchies::kAll);
  // Kills what is left in our trees and removes them.
  ~SandboxCgroups();
  SandboxCgroups(const SandboxCgroups&) = delete;
  SandboxCgroups& operator=(const SandboxCgroups&) = delete;

  // True when processes can be grouped (and so killed as a whole); false: process groups only.
  bool available() const { return !trees_.empty(); }
  bool limits_enforced() const { return cpu_limit_.has_value() && memory_limit_.has_value(); }
  // Why limits are not applied (empty when they are).
  const std::string& limits_note() const { return note_; }

  // Creates <relative> (and its parents) in every hierarchy.
  void create(const std::string& relative);
  // The directories a process of <relative> joins (one per hierarchy); empty when not available.
  std::vector<std::filesystem::path> directories(const std::string& relative) const;
  // Moves a running process into <relative> in every hierarchy.
  void add_process(const std::string& relative, pid_t pid);
  // Applies the VM size's vCPUs and memory to <relative> (a node's cgroup), where some hierarchy can.
  void limit(const std::string& relative, int vcpus, double memory_gb);
  // SIGKILLs every process in the subtree, including ones that left their session or process group.
  void kill(const std::string& relative);
  // Removes the subtree's directories; false if some still hold processes (try again later).
  bool remove(const std::string& relative);

  // The mount point of the cgroup v2 hierarchy, if any.
  static std::optional<std::filesystem::path> cgroup2_mount();
  // The mount point of the v1 hierarchy that holds `controller` ("memory", "cpu", ...), if any.
  static std::optional<std::filesystem::path> cgroup1_mount(std::string_view controller);

 private:
  enum class Kind { kVersion2, kMemory, kCpu, kFreezer };
  struct Tree {
    Kind kind;
    std::filesystem::path base;  // <mount>/<our cgroup>/emu-<pid>-<n>
  };

  std::filesystem::path dir_of(const Tree& tree, const std::string& relative) const;
  const Tree* find(Kind kind) const;
  static void kill_tree(Kind kind, const std::filesystem::path& dir);
  static bool remove_tree(const std::filesystem::path& dir);
  static void remove_stale(Kind kind, const std::filesystem::path& parent);

  // trees_ is ordered so that the one kill() uses comes first: a process joins it before the others.
  std::vector<Tree> trees_;
  std::optional<Kind> cpu_limit_;     // the tree whose cpu controller limits nodes
  std::optional<Kind> memory_limit_;  // the tree whose memory controller limits nodes
  std::string note_;
};

}  // namespace emu::fakes
