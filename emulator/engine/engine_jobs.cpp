// Engine: jobs. The queue (priority, then first come first served), gang placement of nodeCount whole
// nodes, the job lifecycle, terminate, wall-clock limits and requeue when a node is lost.

#include <fmt/format.h>

#include "emulator/engine/engine.hpp"
#include "emulator/engine/engine_errors.hpp"

namespace emu::engine {

namespace {

using model::ExecutionState;
using model::ProvisioningState;

int priority_rank(model::JobPriority p) {
  switch (p) {
    case model::JobPriority::kHigh: return 0;
    case model::JobPriority::kNormal: return 1;
    case model::JobPriority::kLow: return 2;
  }
  return 1;
}

}  // namespace

core::Result<const OperationRecord*> Engine::create_job(const ResourcePath& path, model::JobBaseProperties spec) {
  auto exp = find_experiment(path);
  if (!exp) return exp.error();
  if ((*exp)->provisioning_state == ProvisioningState::kDeleting) return resource_being_deleted(path.experiment_of());
  // The cluster is named by its ARM id and must exist.
  const std::string cluster_key = to_lower(spec.cluster.id);
  auto cluster_it = clusters_.find(cluster_key);
  if (cluster_it == clusters_.end() || cluster_it->second.provisioning_state == ProvisioningState::kDeleting) {
    return core::Error::bad_request(
        "ClusterNotFound",
        fmt::format("The cluster {} named by the job does not exist; create it first or fix properties.cluster.id",
                    spec.cluster.id),
        "properties.cluster.id");
  }
  if (spec.node_count > settings_.max_nodes_per_cluster) {
    return core::Error::bad_request(
        "InvalidPropertyValue",
        fmt::format("nodeCount {} is more than the {} nodes a cluster may have", spec.node_count,
                    settings_.max_nodes_per_cluster),
        "properties.nodeCount");
  }
  if (spec.tensor_flow_settings && spec.tensor_flow_settings->worker_count) {
    const VmSize* size = cluster_runtime_[cluster_key].size;
    const std::int32_t gpus = size != nullptr ? std::max(1, size->gpus) : 1;
    if (*spec.tensor_flow_settings->worker_count > spec.node_count * gpus) {
      return core::Error::bad_request(
          "InvalidPropertyValue",
          fmt::format("workerCount {} is more than nodeCount x GPUs per node ({} x {})",
                      *spec.tensor_flow_settings->worker_count, spec.node_count, gpus),
          "properties.tensorFlowSettings.workerCount");
    }
  }
  const std::string key = path.key();
  spec.cluster.id = cluster_it->second.path.arm_id();
  if (auto existing = jobs_.find(key); existing != jobs_.end()) {
    if (existing->second.provisioning_state == ProvisioningState::kDeleting) return resource_being_deleted(path);
    if (existing->second.spec == spec) return repeated_put(existing->second.path);
    return core::Error::conflict("ResourceAlreadyExists",
                                 fmt::format("The job {} already exists with other properties; jobs cannot be "
                                             "changed. Delete it first or use another name.",
                                             existing->second.path.name));
  }
  if (auto limit = check_job_limit(path); !limit) return limit.error();
  JobRecord record;
  record.path = path;
  record.spec = std::move(spec);
  record.output_id = next_uuid();
  record.submit_sequence = ++jobs_submitted_;
  record.creation_time = executor_.now();
  record.provisioning_state = ProvisioningState::kSucceeded;
  record.provisioning_state_time = record.creation_time;
  record.execution_state = ExecutionState::kQueued;
  record.execution_state_time = record.creation_time;
  emit("job", path.arm_id(), "", "queued", "submitted",
       {{"cluster", record.spec.cluster.id}, {"nodeCount", std::to_string(record.spec.node_count)},
        {"priority", std::string(model::to_string(record.spec.scheduling_priority))}});
  JobRecord& job = jobs_.emplace(key, std::move(record)).first->second;
  ++jobs_per_experiment_[path.experiment_of().key()];
  job_runtime_[key].queue_sequence = job.submit_sequence;
  save(job);
  enqueue(job);
  // A job exists as soon as it is accepted: its operation is done at once, executionState tells the rest.
  const OperationRecord* op = start_operation(OperationKind::kCreate, path);
  finish_operation(op->id, OperationStatus::kSucceeded);
  if (auto r = flush(); !r) return r.error();
  executor_.post([this, cluster_key] {
    schedule(cluster_key);
    commit_pending();
  });
  return op;
}

core::Result<const OperationRecord*> Engine::terminate_job(const ResourcePath& path) {
  auto found = get_job(path);
  if (!found) return found.error();
  JobRecord& job = jobs_.at((*found)->path.key());
  if (job.execution_state == ExecutionState::kSucceeded || job.execution_state == ExecutionState::kFailed) {
    return static_cast<const OperationRecord*>(nullptr);
  }
  if (job.provisioning_state == ProvisioningState::kDeleting) return resource_being_deleted(path);
  if (auto limit = check_operation_limit(); !limit) return limit.error();
  if (job.execution_state == ExecutionState::kQueued) dequeue(job);
  if (job.execution_state != ExecutionState::kTerminating) {
    set_execution_state(job, ExecutionState::kTerminating, "terminate requested");
    save(job);
  }
  const OperationRecord* op = start_operation(OperationKind::kTerminate, job.path);
  if (auto r = flush(); !r) return r.error();
  executor_.post([this, key = job.path.key(), id = op->id] { complete_termination(key, id); });
  return op;
}

void Engine::complete_termination(const std::string& key, const std::string& operation_id) {
  if (auto it = jobs_.find(key); it != jobs_.end() && it->second.execution_state == ExecutionState::kTerminating) {
    JobRecord& job = it->second;
    if (!job_runtime_[key].nodes.empty()) {
      backend_.stop_job(key);
      release_nodes(job);
    }
    finish_job(job, std::nullopt, model::BatchAIError{"JobTerminated", "The specified job has been terminated by the user", {}});
  }
  finish_operation(operation_id, OperationStatus::kSucceeded);
  commit_pending();
}

core::Result<std::vector<RemoteLogin>> Engine::job_remote_logins(const ResourcePath& path) const {
  auto found = get_job(path);
  if (!found) return found.error();
  std::vector<RemoteLogin> logins;
  auto rt = job_runtime_.find((*found)->path.key());
  if (rt == job_runtime_.end()) return logins;
  for (const auto& id : rt->second.nodes) {
    if (auto node = nodes_.find(id); node != nodes_.end()) {
      logins.push_back({node->second.id, node->second.ip_address, static_cast<int>(50000 + node->second.index)});
    }
  }
  return logins;
}

// ---------------------------------------------------------------------------------------------------------------------
// Queue and placement

void Engine::enqueue(JobRecord& job) {
  const std::string cluster_key = to_lower(job.spec.cluster.id);
  ClusterRuntime& rt = cluster_runtime_[cluster_key];
  rt.queue.emplace(priority_rank(job.spec.scheduling_priority), job.submit_sequence, job.path.key());
  rt.queued_node_demand += job.spec.node_count;
}

void Engine::dequeue(const JobRecord& job) {
  const std::string cluster_key = to_lower(job.spec.cluster.id);
  auto rt = cluster_runtime_.find(cluster_key);
  if (rt == cluster_runtime_.end()) return;
  if (rt->second.queue.erase({priority_rank(job.spec.scheduling_priority), job.submit_sequence, job.path.key()}) > 0) {
    rt->second.queued_node_demand -= job.spec.node_count;
  }
}

void Engine::schedule(const std::string& cluster_key) {
  auto cluster_it = clusters_.find(cluster_key);
  if (cluster_it == clusters_.end()) return;
  ClusterRecord& cluster = cluster_it->second;
  ClusterRuntime& rt = cluster_runtime_[cluster_key];
  if (rt.deleting) return;
  // Gang placement: a job starts only when nodeCount whole nodes are idle at once. Without backfill
  // the head of the queue blocks everything behind it, so big jobs are never starved.
  for (auto it = rt.queue.begin(); it != rt.queue.end() && !rt.idle_nodes.empty();) {
    const std::string job_key = std::get<2>(*it);
    JobRecord& job = jobs_.at(job_key);
    if (static_cast<std::size_t>(job.spec.node_count) <= rt.idle_nodes.size()) {
      it = rt.queue.erase(it);
      rt.queued_node_demand -= job.spec.node_count;
      start_job(job, cluster, rt);
      continue;
    }
    if (!settings_.scheduler_backfill) break;
    ++it;
  }
}

void Engine::start_job(JobRecord& job, ClusterRecord& cluster, ClusterRuntime& rt) {
  JobRuntime& jrt = job_runtime_[job.path.key()];
  jrt.nodes.clear();
  bool low_priority = false;
  // Lowest node index first, so that placement is the same on every run.
  std::vector<NodeRecord*> chosen;
  for (auto it = rt.idle_nodes.begin(); chosen.size() < static_cast<std::size_t>(job.spec.node_count);) {
    NodeRecord& node = nodes_.at(*it);
    ++it;
    chosen.push_back(&node);
  }
  std::sort(chosen.begin(), chosen.end(), [](const NodeRecord* a, const NodeRecord* b) { return a->index < b->index; });
  for (NodeRecord* node : chosen) {
    node->job_key = job.path.key();
    set_node_state(*node, NodeState::kRunning, "job started");
    jrt.nodes.push_back(node->id);
    low_priority = low_priority || node->low_priority;
  }
  job.start_time = executor_.now();
  job.end_time.reset();
  job.exit_code.reset();
  job.errors.clear();
  set_execution_state(job, ExecutionState::kRunning, "placed");
  save(job);
  const core::Duration limit = job.spec.constraints.max_wall_clock_time;
  jrt.wall_clock_timer = executor_.schedule_after(limit, [this, key = job.path.key()] {
    auto it = jobs_.find(key);
    if (it == jobs_.end() || it->second.execution_state != ExecutionState::kRunning) return;
    job_runtime_[key].wall_clock_timer = core::kNoTimer;
    stop_and_fail(it->second, {"MaxWallClockTimeExceeded",
                               fmt::format("The job ran longer than its maxWallClockTime ({}) and was stopped",
                                           core::format_duration(it->second.spec.constraints.max_wall_clock_time)),
                               {}});
    commit_pending();
  });
  if (low_priority) {
    // Azure preempted low-priority VMs that had run one job for 24 hours.
    jrt.low_priority_limit_timer = executor_.schedule_after(settings_.low_priority_max_job_run, [this, key = job.path.key()] {
      job_runtime_[key].low_priority_limit_timer = core::kNoTimer;
      auto it = jobs_.find(key);
      if (it == jobs_.end() || it->second.execution_state != ExecutionState::kRunning) return;
      const auto nodes = job_runtime_[key].nodes;
      for (const auto& id : nodes) {
        if (nodes_.contains(id) && nodes_.at(id).low_priority) {
          lose_node(id, true, "low-priority node preempted after 24 hours");
          break;
        }
      }
      commit_pending();
    });
  }
  JobLaunch launch;
  launch.job = &job;
  launch.cluster = &cluster;
  launch.vm_size = rt.size;
  for (const auto& id : jrt.nodes) launch.nodes.push_back(&nodes_.at(id));
  auto add_mounts = [&](const std::optional<model::MountVolumes>& volumes) {
    if (!volumes) return;
    for (const auto& ref : volumes->file_servers) {
      auto server = file_servers_.find(to_lower(ref.file_server.id));
      if (server != file_servers_.end()) launch.file_servers.push_back({&server->second, ref.mount_options.value_or("")});
    }
  };
  add_mounts(job.spec.mount_volumes);
  if (cluster.spec.node_setup) add_mounts(cluster.spec.node_setup->mount_volumes);
  backend_.start_job(launch);
}

void Engine::set_execution_state(JobRecord& job, ExecutionState state, std::string_view reason) {
  if (job.execution_state == state) return;
  core::JournalRecord::Details details;
  if (state == ExecutionState::kRunning) {
    std::string nodes;
    for (const auto& id : job_runtime_[job.path.key()].nodes) nodes += (nodes.empty() ? "" : ",") + id;
    details.emplace_back("nodes", std::move(nodes));
  }
  emit("job", job.path.arm_id(), model::to_string(job.execution_state), model::to_string(state), reason,
       std::move(details));
  job.execution_state = state;
  job.execution_state_time = executor_.now();
}

void Engine::cancel_job_timers(JobRuntime& rt) {
  if (rt.wall_clock_timer != core::kNoTimer) executor_.cancel(rt.wall_clock_timer);
  if (rt.low_priority_limit_timer != core::kNoTimer) executor_.cancel(rt.low_priority_limit_timer);
  rt.wall_clock_timer = core::kNoTimer;
  rt.low_priority_limit_timer = core::kNoTimer;
}

void Engine::release_nodes(JobRecord& job, const std::string& except_node) {
  JobRuntime& rt = job_runtime_[job.path.key()];
  cancel_job_timers(rt);
  std::set<std::string> clusters_touched;
  for (const auto& id : rt.nodes) {
    auto it = nodes_.find(id);
    if (it == nodes_.end() || id == except_node) continue;
    NodeRecord& node = it->second;
    if (node.job_key != job.path.key()) continue;
    node.job_key.clear();
    clusters_touched.insert(node.cluster_key);
    if (node.state != NodeState::kRunning) {
      save(node);
      continue;
    }
    if (node.leave_after_job) {
      begin_leaving(node, "job completed; resized away");
    } else {
      set_node_state(node, NodeState::kIdle, "job ended");
    }
  }
  rt.nodes.clear();
  // Freed nodes take the next jobs after the current event, so that state changes stay ordered.
  for (const auto& cluster_key : clusters_touched) {
    executor_.post([this, cluster_key] {
      schedule(cluster_key);
      commit_pending();
    });
  }
}

void Engine::finish_job(JobRecord& job, std::optional<std::int32_t> exit_code,
                        std::optional<model::BatchAIError> error) {
  job.end_time = executor_.now();
  job.exit_code = exit_code;
  job.errors.clear();
  if (error) job.errors.push_back(*error);
  const bool ok = !error && exit_code.value_or(0) == 0;
  set_execution_state(job, ok ? ExecutionState::kSucceeded : ExecutionState::kFailed,
                      error ? error->code : fmt::format("exit code {}", exit_code.value_or(0)));
  save(job);
}

void Engine::job_finished(const std::string& job_key, JobOutcome outcome) {
  auto it = jobs_.find(job_key);
  if (it == jobs_.end() || it->second.execution_state != ExecutionState::kRunning) return;
  JobRecord& job = it->second;
  release_nodes(job);
  std::optional<model::BatchAIError> error = outcome.error;
  if (!error && outcome.exit_code != 0) {
    error = model::BatchAIError{"JobFailed", "Job failed with non-zero exit code", {}};
  }
  finish_job(job, outcome.exit_code, std::move(error));
  commit_pending();
}

void Engine::stop_and_fail(JobRecord& job, model::BatchAIError error) {
  if (job.execution_state == ExecutionState::kQueued) {
    dequeue(job);
  } else if (job.execution_state == ExecutionState::kRunning || job.execution_state == ExecutionState::kTerminating) {
    backend_.stop_job(job.path.key());
    release_nodes(job);
  } else {
    return;
  }
  finish_job(job, std::nullopt, std::move(error));
}

void Engine::requeue(JobRecord& job, std::string_view reason, const std::string& lost_node) {
  if (job.execution_state != ExecutionState::kRunning) return;
  backend_.stop_job(job.path.key());
  release_nodes(job, lost_node);
  if (!lost_node.empty()) {
    if (auto it = nodes_.find(lost_node); it != nodes_.end()) it->second.job_key.clear();
  }
  job.start_time.reset();
  set_execution_state(job, ExecutionState::kQueued, reason);
  save(job);
  // Same submit sequence: a requeued job keeps its place in line.
  enqueue(job);
}

}  // namespace emu::engine
