#pragma once
// SandboxCgroups: the cgroup v2 tree of one backend (<cgroup2 mount>/<our cgroup>/emu-<pid>), with a
// cgroup per node (CPU and memory limits of its VM size where the host delegates those controllers)
// and one per job part, which stop_job kills as a whole. Where the host has no writable cgroup v2,
// available() is false and the backend falls back to process groups; limits_note() says why.
//   SandboxCgroups cg;  auto dir = cg.create("node-x/job");  cg.kill("node-x/job");

#include <filesystem>
#include <optional>
#include <string>

namespace emu::fakes {

class SandboxCgroups {
 public:
  SandboxCgroups();
  ~SandboxCgroups();
  SandboxCgroups(const SandboxCgroups&) = delete;
  SandboxCgroups& operator=(const SandboxCgroups&) = delete;

  bool available() const { return !base_.empty(); }
  bool limits_enforced() const { return cpu_ && memory_; }
  // Why limits are not applied (empty when they are).
  const std::string& limits_note() const { return note_; }

  // Creates <base>/<relative> (and parents); empty path when cgroups are not available.
  std::filesystem::path create(const std::string& relative);
  // Applies cpu.max and memory.max to a node's cgroup where the controllers are delegated.
  void limit(const std::string& relative, int vcpus, double memory_gb);
  // SIGKILLs every process in the subtree (cgroup.kill, or each pid where that file is missing).
  void kill(const std::string& relative);
  // Removes the subtree's directories that are empty; false if some still hold processes.
  bool remove(const std::string& relative);

  // The mount point of the cgroup v2 hierarchy, if any.
  static std::optional<std::filesystem::path> cgroup2_mount();

 private:
  std::filesystem::path base_;
  bool cpu_ = false;
  bool memory_ = false;
  std::string note_;
};

}  // namespace emu::fakes
