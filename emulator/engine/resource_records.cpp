#include "emulator/engine/resource_records.hpp"

#include "emulator/engine/node_record.hpp"

#include <fmt/format.h>

namespace emu::engine {

std::string_view to_string(OperationStatus status) {
  switch (status) {
    case OperationStatus::kInProgress: return "InProgress";
    case OperationStatus::kSucceeded: return "Succeeded";
    case OperationStatus::kFailed: return "Failed";
  }
  return "InProgress";
}

std::string_view to_string(OperationKind kind) {
  switch (kind) {
    case OperationKind::kCreate: return "create";
    case OperationKind::kDelete: return "delete";
    case OperationKind::kTerminate: return "terminate";
  }
  return "create";
}

std::string JobRecord::output_path_segment() const {
  return fmt::format("{}/{}/workspaces/{}/experiments/{}/jobs/{}/{}", path.subscription, path.resource_group,
                     path.workspace, path.experiment, path.name, output_id);
}

std::string_view to_string(NodeState state) {
  switch (state) {
    case NodeState::kPreparing: return "preparing";
    case NodeState::kIdle: return "idle";
    case NodeState::kRunning: return "running";
    case NodeState::kLeaving: return "leaving";
    case NodeState::kUnusable: return "unusable";
  }
  return "preparing";
}

}  // namespace emu::engine
