#pragma once
// SandboxNode: one node's kernel sandbox. A small init process (PID 1 of new PID, mount, UTS, IPC and
// network namespaces) holds the namespaces; every process of the node enters them with nsenter. The
// node's /mnt is <data_dir>/nodes/<id>/mnt (the real VM's resource disk, with .../LS_root inside),
// the data dir is hidden behind an empty tmpfs, /proc and /dev/shm are the node's own. A "launcher"
// sandbox has only network and UTS namespaces: mpirun runs there, beside the nodes.
//   auto node = SandboxNode::create({.node_id = id, .node_dir = dir, .data_dir = data});
//   spawn(node->enter_argv("hostname"));   // prints the node id

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/core/result.hpp"
#include "fakes/nodes/beneath_path.hpp"

namespace emu::fakes {

struct SandboxNodeSpec {
  std::string node_id;  // becomes the hostname
  std::filesystem::path node_dir;
  std::filesystem::path data_dir;
  std::filesystem::path images_dir;  // shown read-only at /mnt/emulator-images
  std::vector<int> hidden_gpus;      // /dev/nvidia<i> of GPUs other nodes hold: masked
  bool launcher = false;             // network + UTS only (the MPI launcher)
};

class SandboxNode {
 public:
  static core::Result<std::unique_ptr<SandboxNode>> create(const SandboxNodeSpec& spec);
  // Kills the init (and with it every process of the node) and detaches the node's /mnt on the host.
  ~SandboxNode();
  SandboxNode(const SandboxNode&) = delete;
  SandboxNode& operator=(const SandboxNode&) = delete;

  pid_t init_pid() const { return pid_; }
  const std::string& node_id() const { return spec_.node_id; }
  const std::filesystem::path& node_dir() const { return spec_.node_dir; }
  // Stop reaping here: the owner's process watcher reaps the init (it reports the node's death).
  void release_reaping() { reap_ = false; }

  // nsenter argv that runs `shell_command` with /bin/sh inside the node.
  std::vector<std::string> enter_argv(const std::string& shell_command) const;
  // Where a path of the node lies on the host: /mnt/... is the node's disk; the rest is shared.
  std::filesystem::path host_path(std::string_view inside) const;

  // How the host reaches a path of the node without following a job's links: /mnt/... on the node's
  // disk, where no symbolic link is followed; any other path as the node sees it (the data dir is
  // hidden there). Not for a launcher.
  struct Location {
    const BeneathPath* tree = nullptr;
    std::string relative;
  };
  Location locate(std::string_view inside) const;
  const BeneathPath& disk() const { return *disk_; }
  const BeneathPath& view() const { return *view_; }

  static constexpr std::string_view kImagesMount = "/mnt/emulator-images";

 private:
  SandboxNode(SandboxNodeSpec spec, pid_t pid, bool host_bind, std::optional<BeneathPath> disk,
              std::optional<BeneathPath> view)
      : spec_(std::move(spec)), pid_(pid), host_bind_(host_bind), disk_(std::move(disk)), view_(std::move(view)) {}

  SandboxNodeSpec spec_;
  pid_t pid_ = 0;
  bool host_bind_ = false;
  bool reap_ = true;
  std::optional<BeneathPath> disk_;  // <node_dir>/mnt, opened on the host's shared bind of it
  std::optional<BeneathPath> view_;  // /proc/<init>/root
};

}  // namespace emu::fakes
