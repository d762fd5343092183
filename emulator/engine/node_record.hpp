#pragma once
// NodeRecord: one compute node of a cluster, as the engine tracks it. Its state is what
// nodeStateCounts counts; `job_key` says which job runs on it.
//   if (node.state == NodeState::kIdle && !node.leave_after_job) ...

#include <cstdint>
#include <string>
#include <string_view>

#include "emulator/core/time.hpp"

namespace emu::engine {

enum class NodeState { kPreparing, kIdle, kRunning, kLeaving, kUnusable };

std::string_view to_string(NodeState state);

struct NodeRecord {
  std::string id;           // tvm-<cluster hash>_<n>-<allocation time>, like Azure Batch node ids
  std::string cluster_key;  // ResourcePath::key() of its cluster
  std::string ip_address;   // 10.0.<cluster>.<n>: nodes of one cluster reach each other
  std::uint32_t index = 0;  // n above: the cluster's allocation counter
  NodeState state = NodeState::kPreparing;
  core::Time state_since{};
  bool low_priority = false;
  std::string job_key;           // the job running here, if any
  bool leave_after_job = false;  // waitforjobcompletion: leave when the job ends, take no new one
};

}  // namespace emu::engine
