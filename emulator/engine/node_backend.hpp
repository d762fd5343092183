#pragma once
// NodeBackend: what really happens on a node. The engine decides *when* nodes join and *which* job
// runs where; a backend makes it happen and reports back through NodeEvents, always on the engine's
// executor. SimNodeBackend only lets virtual time pass; ContainerNodeBackend runs real processes in
// node sandboxes. Both see exactly the same calls.
//   backend.start_node(node, cluster);      // later: events.node_ready(node.id) or node_setup_failed
//   backend.start_job(launch);              // later: events.job_finished(job_key, outcome)

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "emulator/engine/node_record.hpp"
#include "emulator/engine/resource_records.hpp"
#include "emulator/engine/vm_size_catalog.hpp"

namespace emu::engine {

// How a job's run ended, as the backend saw it.
struct JobOutcome {
  std::int32_t exit_code = 0;
  // Set when the job did not run to its own end: "JobPreparationFailed", "JobFailed" (also for a
  // launch failure such as a missing script or image) with a message for executionInfo.errors.
  std::optional<model::BatchAIError> error;
};

// A file server a job's nodes mount (at cluster or job level), with the options of that mount.
struct MountedFileServer {
  const FileServerRecord* server = nullptr;
  std::string mount_options;
};

// Everything a backend needs to launch one job on its nodes.
struct JobLaunch {
  const JobRecord* job = nullptr;
  const ClusterRecord* cluster = nullptr;
  const VmSize* vm_size = nullptr;
  std::vector<const NodeRecord*> nodes;  // nodes[0] is the master
  std::vector<MountedFileServer> file_servers;  // job-level mounts first, then the cluster's
};

class NodeEvents {
 public:
  virtual ~NodeEvents() = default;
  // The node finished its preparation (mounts, setup task) and can take jobs.
  virtual void node_ready(const std::string& node_id) = 0;
  // Its setup task or a mount failed: the node turns unusable.
  virtual void node_setup_failed(const std::string& node_id, model::BatchAIError error) = 0;
  // The job's processes ended on their own (not after stop_job).
  virtual void job_finished(const std::string& job_key, JobOutcome outcome) = 0;
  // The node died under a running job (sandbox killed, host trouble): the engine requeues the job.
  virtual void node_lost(const std::string& node_id, std::string reason) = 0;
};

class NodeBackend {
 public:
  virtual ~NodeBackend() = default;
  virtual std::string name() const = 0;
  virtual void set_events(NodeEvents* events) = 0;

  // Prepares a freshly allocated node: mounts and the cluster's setup task.
  virtual void start_node(const NodeRecord& node, const ClusterRecord& cluster, const VmSize& size) = 0;
  // The node leaves (resize, deletion, failure): release whatever it holds. No event follows.
  virtual void stop_node(const NodeRecord& node) = 0;
  // Runs jobPreparation and the job's processes on launch.nodes.
  virtual void start_job(const JobLaunch& launch) = 0;
  // Stops a job's processes at once (terminate, wall clock, deletion, requeue). No event follows.
  virtual void stop_job(const std::string& job_key) = 0;

  // A file server is gone: release what the backend keeps for it (its store).
  virtual void file_server_deleted(const std::string& /*file_server_key*/) {}

  // Where a job's files are on this host, for listOutputFiles: `directory_id` is "stdouterr" or the
  // id of one of the job's outputDirectories. nullopt where the backend keeps no files (sim).
  virtual std::optional<std::filesystem::path> job_output_directory(const JobRecord& /*job*/,
                                                                    std::string_view /*directory_id*/) const {
    return std::nullopt;
  }
};

}  // namespace emu::engine
