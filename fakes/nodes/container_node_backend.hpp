#pragma once
// ContainerNodeBackend: nodes as kernel sandboxes on this host (SandboxNode: PID, mount, UTS, IPC and
// network namespaces, an address on the backend's bridge, the node's disk under
// <data_dir>/nodes/<id>/mnt) running the jobs' real processes: setup task, mounts through the
// StorageService (an unmanaged file system's mountCommand inside the node), jobPreparation, every toolkit (mpirun over the nodes for the MPI ones), GPUs.
// Same calls and events as SimNodeBackend; every event is delivered on the io_context's thread.
//   ContainerNodeBackend backend(executor, io, settings, data_dir, &storage);
//   Engine engine(executor, store, backend, ...);

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "emulator/core/executor.hpp"
#include "emulator/engine/engine_settings.hpp"
#include "emulator/engine/node_backend.hpp"
#include "fakes/nfs/command_mount.hpp"
#include "fakes/nfs/storage_service.hpp"
#include "fakes/nodes/container_image_store.hpp"
#include "fakes/nodes/gpu_inventory.hpp"
#include "fakes/nodes/job_environment.hpp"
#include "fakes/nodes/node_agent_server.hpp"
#include "fakes/nodes/sandbox_cgroups.hpp"
#include "fakes/nodes/sandbox_node.hpp"
#include "fakes/nodes/sandbox_process_watcher.hpp"
#include "fakes/nodes/toolkit_launcher.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace emu::fakes {

class ContainerNodeBackend final : public engine::NodeBackend {
 public:
  // `storage` may be null: then any mount fails with a clear error. `gpus` defaults to discovery.
  // `cgroups` chooses the cgroup versions used (all that the host allows, unless a test wants one).
  ContainerNodeBackend(core::Executor& executor, boost::asio::io_context& io, const engine::EngineSettings& settings,
                       std::filesystem::path data_dir, StorageService* storage,
                       std::optional<GpuInventory> gpus = std::nullopt,
                       CgroupHierarchies cgroups = CgroupHierarchies::kAll);
  ~ContainerNodeBackend() override;

  std::string name() const override { return "container"; }
  void set_events(engine::NodeEvents* events) override { events_ = events; }
  void start_node(const engine::NodeRecord& node, const engine::ClusterRecord& cluster,
                  const engine::VmSize& size) override;
  void stop_node(const engine::NodeRecord& node) override;
  void start_job(const engine::JobLaunch& launch) override;
  void stop_job(const std::string& job_key) override;
  std::optional<std::filesystem::path> job_output_directory(const engine::JobRecord& job,
                                                            std::string_view directory_id) const override;

  // Why CPU/memory limits are not enforced on this host (empty when they are).
  const std::string& limits_note() const { return cgroups_.limits_note(); }
  bool limits_enforced() const { return cgroups_.limits_enforced(); }
  const GpuInventory& gpus() const { return gpus_; }
  std::size_t live_processes() const { return watcher_.running(); }
  // How long an unmanaged file system's mountCommand may run (CommandMount::kDefaultTimeout).
  void set_mount_command_timeout(std::chrono::milliseconds timeout) { mount_command_timeout_ = timeout; }

 private:
  struct Node;
  struct Job;
  // An unmanaged file system to mount on one node: its mountCommand runs inside that node.
  struct NodeCommandMount {
    std::string node_id;
    std::string relative_mount_path;
    CommandMount mount;
  };
  using CommandMountsDone = std::function<void(std::optional<core::Error>)>;

  void fail_node_setup(const std::string& node_id, std::string code, std::string message);
  void run_setup_task(const std::string& node_id, const engine::ClusterRecord& cluster);
  core::Result<void> mount_volumes(const model::MountVolumes& volumes, const SandboxNode& sandbox,
                                   const std::string& root_inside, const std::string& node_id,
                                   std::vector<std::unique_ptr<MountedVolume>>& out,
                                   std::vector<NodeCommandMount>& commands);
  // Runs every mountCommand inside its node (in the node's job cgroup), at once; `done` gets the
  // first failure, on the executor, once all have ended. Returns the pids started.
  std::vector<pid_t> run_command_mounts(const std::vector<NodeCommandMount>& mounts, CommandMountsDone done);
  core::Result<void> prepare_job(Job& job);
  void start_phase(const std::string& job_key);
  void run_prep(Job& job);
  void run_plan(Job& job);
  void on_process_exit(const std::string& job_key, std::size_t process, int code);
  // How `command` runs on `node` for `job`: in its namespaces (and the job's image root), its job cgroup.
  SpawnSpec node_process(const Job& job, const Node& node, const std::string& command,
                         const JobEnvironment& env) const;
  core::Result<pid_t> spawn_in_node(Job& job, const Node& node, const std::string& command,
                                    const JobEnvironment& env, const std::string& out_name,
                                    const std::string& err_name, std::size_t process);
  core::Result<void> start_agent_server(Job& job);
  void finish(const std::string& job_key, engine::JobOutcome outcome);
  void fail_soon(const std::string& job_key, const std::string& code, const std::string& message);
  void tear_down_job(Job& job);
  core::Result<void> ensure_bridge();
  core::Result<void> ensure_launcher();
  void log_line(const Job& job, const Node& node, const std::string& text) const;

  core::Executor& executor_;
  const engine::EngineSettings& settings_;
  std::filesystem::path data_dir_;
  StorageService* storage_;
  engine::NodeEvents* events_ = nullptr;
  SandboxProcessWatcher watcher_;
  SandboxCgroups cgroups_;
  GpuInventory gpus_;
  ContainerImageStore images_;
  std::string bridge_;
  bool bridge_ready_ = false;
  std::unique_ptr<SandboxNode> launcher_;
  std::filesystem::path agent_path_;  // the launch agent on the host (for mpirun in the launcher)
  std::string agent_error_;           // why it could not be written, if so
  std::map<std::string, std::unique_ptr<Node>, std::less<>> nodes_;
  std::map<std::string, std::unique_ptr<Job>, std::less<>> jobs_;
  // Directories of every job launched here, kept after the job ends for listOutputFiles.
  std::map<std::string, std::map<std::string, std::filesystem::path, std::less<>>, std::less<>> outputs_;
  std::set<std::string> stale_cgroups_;
  std::uint64_t volume_serial_ = 0;  // names the staging folders of mounted volumes
  std::chrono::milliseconds mount_command_timeout_ = CommandMount::kDefaultTimeout;
};

}  // namespace emu::fakes
