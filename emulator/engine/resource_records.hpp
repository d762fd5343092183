#pragma once
// The engine's live state of each resource: what the client asked for (the model's *BaseProperties)
// plus what the emulator decides (states, times, counts). The api layer renders these on the wire;
// the engine persists them through record_codec.
//   const JobRecord& job = ...;  if (job.execution_state == model::ExecutionState::kQueued) ...

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/time.hpp"
#include "emulator/engine/resource_path.hpp"
#include "emulator/model/cluster_types.hpp"
#include "emulator/model/common_types.hpp"
#include "emulator/model/enums.hpp"
#include "emulator/model/file_server_types.hpp"
#include "emulator/model/job_types.hpp"

namespace emu::engine {

// Fields every resource has.
struct ResourceLifecycle {
  ResourcePath path;
  core::Time creation_time{};
  model::ProvisioningState provisioning_state = model::ProvisioningState::kCreating;
  core::Time provisioning_state_time{};
};

struct WorkspaceRecord : ResourceLifecycle {
  std::string location;
  std::map<std::string, std::string> tags;
};

struct ExperimentRecord : ResourceLifecycle {};

struct ClusterRecord : ResourceLifecycle {
  model::ClusterBaseProperties spec;
  model::AllocationState allocation_state = model::AllocationState::kSteady;
  core::Time allocation_state_time{};
  std::vector<model::BatchAIError> errors;
  model::NodeStateCounts node_counts;
  // Random part of the setup task's output folder: {prefix}/{sub}/{rg}/workspaces/{ws}/clusters/{name}/{uuid}.
  std::string setup_task_output_id;
  std::uint32_t network_index = 0;    // nodes get 10.<hi>.<lo>.<n> addresses from it
  std::uint32_t nodes_allocated = 0;  // node index counter: node ids never repeat within a cluster
};

struct FileServerRecord : ResourceLifecycle {
  model::FileServerBaseProperties spec;
  model::MountSettings mount_settings;
};

struct JobRecord : ResourceLifecycle {
  model::JobBaseProperties spec;
  std::string output_id;  // the uuid that ends jobOutputDirectoryPathSegment
  std::uint64_t submit_sequence = 0;  // first come, first served within a priority
  model::ExecutionState execution_state = model::ExecutionState::kQueued;
  core::Time execution_state_time{};
  std::optional<core::Time> start_time;
  std::optional<core::Time> end_time;
  std::optional<std::int32_t> exit_code;
  std::vector<model::BatchAIError> errors;

  // {sub}/{rg}/workspaces/{ws}/experiments/{exp}/jobs/{job}/{uuid}
  std::string output_path_segment() const;
};

enum class OperationKind { kCreate, kDelete, kTerminate };
enum class OperationStatus { kInProgress, kSucceeded, kFailed };

// A long-running operation as clients poll it at .../locations/{loc}/operationresults/{id}.
struct OperationRecord {
  std::string id;  // a GUID
  std::string location;
  OperationKind kind = OperationKind::kCreate;
  ResourcePath target;
  OperationStatus status = OperationStatus::kInProgress;
  core::Time start_time{};
  std::optional<core::Time> end_time;
  std::optional<model::BatchAIError> error;  // when status is kFailed
};

std::string_view to_string(OperationStatus status);
std::string_view to_string(OperationKind kind);

}  // namespace emu::engine
