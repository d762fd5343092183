// Engine: clusters and their nodes. Allocation and release, manual resize with each deallocation
// option, autoscale, low-priority preemption and node faults.

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "emulator/core/log.hpp"
#include "emulator/engine/engine.hpp"

namespace emu::engine {

namespace {

using model::AllocationState;
using model::DeallocationOption;
using model::ProvisioningState;

// tvm-1816144642_3-20180606t211915z: the shape of Azure Batch node ids.
std::string node_id_for(const ClusterRecord& cluster, std::uint32_t index, core::Time when) {
  std::uint32_t hash = 2166136261u;
  for (char c : cluster.path.key()) hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
  const auto day = std::chrono::floor<std::chrono::days>(when);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::seconds>(when - day)};
  return fmt::format("tvm-{}_{}-{:04}{:02}{:02}t{:02}{:02}{:02}z", hash % 4294967295u, index,
                     static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

}  // namespace

std::int32_t Engine::live_node_count(const ClusterRuntime& rt) const {
  std::int32_t n = 0;
  for (const auto& id : rt.nodes) {
    auto it = nodes_.find(id);
    if (it != nodes_.end() && it->second.state != NodeState::kLeaving) ++n;
  }
  return n;
}

void Engine::complete_cluster_provisioning(const std::string& key, const std::string& operation_id) {
  auto* cluster = [&]() -> ClusterRecord* {
    auto it = clusters_.find(key);
    return it == clusters_.end() ? nullptr : &it->second;
  }();
  if (cluster != nullptr && cluster->provisioning_state == ProvisioningState::kCreating) {
    cluster->provisioning_state = ProvisioningState::kSucceeded;
    cluster->provisioning_state_time = executor_.now();
    emit("cluster", cluster->path.arm_id(), "creating", "succeeded", "provisioned");
    save(*cluster);
    ClusterRuntime& rt = cluster_runtime_[key];
    if (const auto& scale = cluster->spec.scale_settings; scale.auto_scale) {
      // initialNodeCount applies at creation only; after that the autoscaler decides.
      if (scale.auto_scale->initial_node_count > 0) request_nodes(*cluster, rt, scale.auto_scale->initial_node_count);
      schedule_autoscale(key, settings_.autoscale_interval);
    } else {
      apply_scale(key);
    }
  }
  finish_operation(operation_id, OperationStatus::kSucceeded);
  commit_pending();
}

void Engine::apply_scale(const std::string& cluster_key) {
  auto it = clusters_.find(cluster_key);
  if (it == clusters_.end()) return;
  ClusterRecord& cluster = it->second;
  ClusterRuntime& rt = cluster_runtime_[cluster_key];
  if (rt.deleting || cluster.provisioning_state != ProvisioningState::kSucceeded) return;
  const auto& scale = cluster.spec.scale_settings;
  if (scale.auto_scale) {
    if (rt.autoscale_timer == core::kNoTimer) schedule_autoscale(cluster_key, core::Duration::zero());
    return;
  }
  if (rt.autoscale_timer != core::kNoTimer) {
    executor_.cancel(rt.autoscale_timer);
    rt.autoscale_timer = core::kNoTimer;
  }
  if (!scale.manual) return;
  const std::int32_t target = scale.manual->target_node_count;
  const std::int32_t current = live_node_count(rt) + rt.pending_allocation;
  if (target > current) {
    request_nodes(cluster, rt, target - current);
  } else if (target < current) {
    remove_nodes(cluster, rt, current - target, scale.manual->node_deallocation_option, false);
  }
}

void Engine::request_nodes(ClusterRecord& cluster, ClusterRuntime& rt, std::int32_t count) {
  if (count <= 0) return;
  rt.pending_allocation += count;
  update_allocation_state(cluster, rt);
  emit("cluster", cluster.path.arm_id(), "", "", "nodes requested", {{"count", std::to_string(count)}});
  executor_.schedule_after(settings_.node_allocation_delay, [this, key = cluster.path.key(), count] {
    allocate_nodes(key, count);
    commit_pending();
  });
}

void Engine::allocate_nodes(const std::string& cluster_key, std::int32_t count) {
  auto it = clusters_.find(cluster_key);
  if (it == clusters_.end()) return;
  ClusterRecord& cluster = it->second;
  ClusterRuntime& rt = cluster_runtime_[cluster_key];
  // A resize down while this allocation was in flight may have cancelled part of it.
  count = std::min(count, rt.pending_allocation);
  if (rt.deleting || count <= 0 || rt.size == nullptr) return;
  rt.pending_allocation -= count;

  // Quota: allocate what fits, and say why the rest did not come.
  const bool low_priority = cluster.spec.vm_priority == model::VmPriority::kLowPriority;
  const std::string location = location_of(cluster.path);
  const std::string& family = rt.size->family;
  const std::string display = VmSizeCatalog::family_display_name(family);
  std::int64_t family_limit = low_priority ? settings_.low_priority_vcpu_quota_per_family
                                           : settings_.dedicated_vcpu_quota_per_family;
  if (auto o = settings_.dedicated_quota_overrides.find(display);
      !low_priority && o != settings_.dedicated_quota_overrides.end()) {
    family_limit = o->second;
  }
  const std::int64_t total_limit =
      low_priority ? settings_.total_low_priority_vcpu_quota : settings_.total_dedicated_vcpu_quota;
  // vcpus_in_use counts pending nodes too; take this allocation's own nodes out of it.
  const std::int64_t pending_here = static_cast<std::int64_t>(rt.pending_allocation) * rt.size->vcpus;
  const std::int64_t family_used = vcpus_in_use(cluster.path.subscription, location, family, low_priority) - pending_here;
  const std::int64_t total_used = vcpus_in_use(cluster.path.subscription, location, {}, low_priority) - pending_here;
  const std::int64_t room = std::min(family_limit - family_used, total_limit - total_used);
  const std::int32_t fits = static_cast<std::int32_t>(
      std::clamp<std::int64_t>(rt.size->vcpus > 0 ? room / rt.size->vcpus : count, 0, count));
  if (fits < count) {
    model::BatchAIError error;
    error.code = low_priority ? "AccountLowPriorityCoreQuotaReached" : "AccountCoreQuotaReached";
    error.message = fmt::format(
        "The {} vCPU quota for {} in {} is reached: {} more node(s) of {} ({} vCPUs each) do not fit. Raise the "
        "quota in the emulator's settings or resize the cluster.",
        low_priority ? "low-priority" : "dedicated", display, location, count - fits, cluster.spec.vm_size,
        rt.size->vcpus);
    cluster.errors = {error};
    emit("cluster", cluster.path.arm_id(), "", "", "quota reached",
         {{"requested", std::to_string(count)}, {"allocated", std::to_string(fits)}});
  } else {
    cluster.errors.clear();
  }
  for (std::int32_t i = 0; i < fits; ++i) start_node(cluster, rt);
  update_allocation_state(cluster, rt);
  save(cluster);
}

void Engine::start_node(ClusterRecord& cluster, ClusterRuntime& rt) {
  NodeRecord node;
  node.index = cluster.nodes_allocated++;
  node.id = node_id_for(cluster, node.index, executor_.now());
  node.cluster_key = cluster.path.key();
  // 10.<hi>.<lo>.<host>: one /24 per cluster, hosts from .4 as on Azure, reused once free.
  std::set<std::string> taken;
  for (const auto& id : rt.nodes) taken.insert(nodes_.at(id).ip_address);
  for (std::uint32_t host = 4; host < 255; ++host) {
    std::string ip = fmt::format("10.{}.{}.{}", (cluster.network_index >> 8) & 0xff, cluster.network_index & 0xff, host);
    if (!taken.contains(ip)) {
      node.ip_address = std::move(ip);
      break;
    }
  }
  node.state = NodeState::kPreparing;
  node.state_since = executor_.now();
  node.low_priority = cluster.spec.vm_priority == model::VmPriority::kLowPriority;
  ++cluster.node_counts.preparing_node_count;
  rt.nodes.insert(node.id);
  emit("node", node.id, "", "preparing", "allocated",
       {{"cluster", cluster.path.arm_id()}, {"ip", node.ip_address}});
  save(node);
  const NodeRecord& stored = nodes_.emplace(node.id, std::move(node)).first->second;
  if (stored.low_priority) arm_random_preemption(stored);
  backend_.start_node(stored, cluster, *rt.size);
}

namespace {
std::int32_t& count_for(model::NodeStateCounts& counts, NodeState state) {
  switch (state) {
    case NodeState::kPreparing: return counts.preparing_node_count;
    case NodeState::kIdle: return counts.idle_node_count;
    case NodeState::kRunning: return counts.running_node_count;
    case NodeState::kLeaving: return counts.leaving_node_count;
    case NodeState::kUnusable: return counts.unusable_node_count;
  }
  return counts.idle_node_count;
}
}  // namespace

void Engine::set_node_state(NodeRecord& node, NodeState state, std::string_view reason) {
  if (node.state == state) return;
  auto cluster_it = clusters_.find(node.cluster_key);
  ClusterRuntime& rt = cluster_runtime_[node.cluster_key];
  if (cluster_it != clusters_.end()) {
    --count_for(cluster_it->second.node_counts, node.state);
    ++count_for(cluster_it->second.node_counts, state);
    save(cluster_it->second);
  }
  if (node.state == NodeState::kIdle) rt.idle_nodes.erase(node.id);
  if (state == NodeState::kIdle && !node.leave_after_job) rt.idle_nodes.insert(node.id);
  emit("node", node.id, to_string(node.state), to_string(state), reason);
  node.state = state;
  node.state_since = executor_.now();
  save(node);
}

void Engine::begin_leaving(NodeRecord& node, std::string_view reason) {
  if (node.state == NodeState::kLeaving) return;
  set_node_state(node, NodeState::kLeaving, reason);
  backend_.stop_node(node);
  auto cluster_it = clusters_.find(node.cluster_key);
  if (cluster_it != clusters_.end()) update_allocation_state(cluster_it->second, cluster_runtime_[node.cluster_key]);
  executor_.schedule_after(settings_.node_deallocation_delay, [this, id = node.id] {
    remove_node(id);
    commit_pending();
  });
}

void Engine::remove_node(const std::string& node_id) {
  auto it = nodes_.find(node_id);
  if (it == nodes_.end()) return;
  NodeRecord& node = it->second;
  auto cluster_it = clusters_.find(node.cluster_key);
  ClusterRuntime& rt = cluster_runtime_[node.cluster_key];
  if (cluster_it != clusters_.end()) {
    --count_for(cluster_it->second.node_counts, node.state);
    save(cluster_it->second);
  }
  rt.nodes.erase(node_id);
  rt.idle_nodes.erase(node_id);
  emit("node", node_id, to_string(node.state), "", "deallocated");
  if (persist_) batch_.erase("nodes", node_id);
  nodes_.erase(it);
  if (cluster_it != clusters_.end()) update_allocation_state(cluster_it->second, rt);
}

void Engine::update_allocation_state(ClusterRecord& cluster, ClusterRuntime& rt) {
  const bool resizing = rt.pending_allocation > 0 || cluster.node_counts.leaving_node_count > 0;
  const AllocationState state = resizing ? AllocationState::kResizing : AllocationState::kSteady;
  if (state == cluster.allocation_state) return;
  emit("cluster", cluster.path.arm_id(), model::to_string(cluster.allocation_state), model::to_string(state),
       resizing ? "resize started" : "resize finished",
       {{"nodes", std::to_string(live_node_count(rt))}});
  cluster.allocation_state = state;
  cluster.allocation_state_time = executor_.now();
  save(cluster);
}

void Engine::remove_nodes(ClusterRecord& cluster, ClusterRuntime& rt, std::int32_t count, DeallocationOption option,
                          bool idle_only) {
  // Nodes not yet allocated go first, then the ones doing nothing useful, then busy ones.
  const std::int32_t cancelled = std::min(count, rt.pending_allocation);
  rt.pending_allocation -= cancelled;
  count -= cancelled;
  std::vector<NodeRecord*> candidates;
  for (const auto& id : rt.nodes) {
    NodeRecord& node = nodes_.at(id);
    if (node.state == NodeState::kLeaving || node.leave_after_job) continue;
    if (idle_only && node.state != NodeState::kIdle && node.state != NodeState::kUnusable) continue;
    candidates.push_back(&node);
  }
  auto rank = [](NodeState s) {
    switch (s) {
      case NodeState::kUnusable: return 0;
      case NodeState::kIdle: return 1;
      case NodeState::kPreparing: return 2;
      case NodeState::kRunning: return 3;
      case NodeState::kLeaving: return 4;
    }
    return 4;
  };
  // Highest index first among equals: the newest nodes leave, as Batch did.
  std::stable_sort(candidates.begin(), candidates.end(), [&](const NodeRecord* a, const NodeRecord* b) {
    if (rank(a->state) != rank(b->state)) return rank(a->state) < rank(b->state);
    return a->index > b->index;
  });
  for (NodeRecord* node : candidates) {
    if (count <= 0) break;
    --count;
    if (node->state != NodeState::kRunning) {
      begin_leaving(*node, "resized away");
      continue;
    }
    JobRecord* job = [&]() -> JobRecord* {
      auto j = jobs_.find(node->job_key);
      return j == jobs_.end() ? nullptr : &j->second;
    }();
    switch (option) {
      case DeallocationOption::kWaitForJobCompletion:
        node->leave_after_job = true;
        save(*node);
        emit("node", node->id, "", "", "leaves when its job completes");
        break;
      case DeallocationOption::kTerminate:
        if (job != nullptr) {
          stop_and_fail(*job, {"JobTerminatedByClusterResize",
                               "The cluster was resized with nodeDeallocationOption terminate while the job ran", {}});
        }
        begin_leaving(*node, "resized away");
        break;
      case DeallocationOption::kRequeue:
        if (job != nullptr) requeue(*job, "cluster resized with nodeDeallocationOption requeue");
        begin_leaving(*node, "resized away");
        break;
    }
  }
  update_allocation_state(cluster, rt);
  save(cluster);
}

// ---------------------------------------------------------------------------------------------------------------------
// Node events from the backend

void Engine::node_ready(const std::string& node_id) {
  auto it = nodes_.find(node_id);
  if (it == nodes_.end() || it->second.state != NodeState::kPreparing) return;
  set_node_state(it->second, NodeState::kIdle, "prepared");
  schedule(it->second.cluster_key);
  commit_pending();
}

void Engine::node_setup_failed(const std::string& node_id, model::BatchAIError error) {
  auto it = nodes_.find(node_id);
  if (it == nodes_.end() || it->second.state != NodeState::kPreparing) return;
  set_node_state(it->second, NodeState::kUnusable, error.code + ": " + error.message);
  commit_pending();
}

void Engine::node_lost(const std::string& node_id, std::string reason) {
  lose_node(node_id, false, reason);
  commit_pending();
}

void Engine::lose_node(const std::string& node_id, bool preempted, std::string_view reason) {
  auto it = nodes_.find(node_id);
  if (it == nodes_.end() || it->second.state == NodeState::kLeaving) return;
  NodeRecord& node = it->second;
  if (!node.job_key.empty()) {
    if (auto job = jobs_.find(node.job_key); job != jobs_.end()) requeue(job->second, reason, node.id);
  }
  backend_.stop_node(node);
  const std::string cluster_key = node.cluster_key;
  if (preempted) {
    // A preempted low-priority VM is gone; the cluster asks for a replacement as Batch did.
    begin_leaving(node, reason);
    executor_.post([this, cluster_key] {
      apply_scale(cluster_key);
      commit_pending();
    });
  } else {
    // A failed node stays, unusable, until the cluster is resized away from it.
    node.leave_after_job = false;
    set_node_state(node, NodeState::kUnusable, reason);
  }
  schedule(cluster_key);
}

// ---------------------------------------------------------------------------------------------------------------------
// Autoscale

void Engine::schedule_autoscale(const std::string& cluster_key, core::Duration delay) {
  ClusterRuntime& rt = cluster_runtime_[cluster_key];
  if (rt.autoscale_timer != core::kNoTimer) executor_.cancel(rt.autoscale_timer);
  rt.autoscale_timer = executor_.schedule_after(delay, [this, cluster_key] {
    cluster_runtime_[cluster_key].autoscale_timer = core::kNoTimer;
    evaluate_autoscale(cluster_key);
    commit_pending();
  });
}

void Engine::evaluate_autoscale(const std::string& cluster_key) {
  auto it = clusters_.find(cluster_key);
  if (it == clusters_.end()) return;
  ClusterRecord& cluster = it->second;
  ClusterRuntime& rt = cluster_runtime_[cluster_key];
  const auto& scale = cluster.spec.scale_settings.auto_scale;
  if (rt.deleting || !scale) return;
  // Unusable nodes are no capacity: the autoscaler releases them and counts only the others.
  std::vector<std::string> unusable;
  for (const auto& id : rt.nodes) {
    if (nodes_.at(id).state == NodeState::kUnusable) unusable.push_back(id);
  }
  for (const auto& id : unusable) begin_leaving(nodes_.at(id), "unusable node released by autoscale");
  // Demand: nodes busy with jobs plus nodes the queued jobs ask for (each job needs its own nodes).
  const std::int64_t demand = cluster.node_counts.running_node_count + rt.queued_node_demand;
  const std::int32_t target = static_cast<std::int32_t>(
      std::clamp<std::int64_t>(demand, scale->minimum_node_count, scale->maximum_node_count));
  const std::int32_t current = live_node_count(rt) + rt.pending_allocation;
  if (target > current) {
    emit("cluster", cluster.path.arm_id(), "", "", "autoscale grows",
         {{"from", std::to_string(current)}, {"to", std::to_string(target)}});
    request_nodes(cluster, rt, target - current);
  } else if (target < current) {
    emit("cluster", cluster.path.arm_id(), "", "", "autoscale shrinks",
         {{"from", std::to_string(current)}, {"to", std::to_string(target)}});
    remove_nodes(cluster, rt, current - target, DeallocationOption::kWaitForJobCompletion, true);
  }
  schedule_autoscale(cluster_key, settings_.autoscale_interval);
}

// ---------------------------------------------------------------------------------------------------------------------
// Low priority and faults

void Engine::arm_random_preemption(const NodeRecord& node) {
  if (settings_.low_priority_preemptions_per_hour <= 0) return;
  const double hours = preemption_rng_.exponential(settings_.low_priority_preemptions_per_hour);
  if (!std::isfinite(hours)) return;
  const auto delay = core::from_seconds(hours * 3600.0);
  executor_.schedule_after(delay, [this, id = node.id] {
    lose_node(id, true, "low-priority node preempted");
    commit_pending();
  });
}

std::vector<std::string> Engine::select_nodes(const NodeSelector& selector, bool low_priority_only) {
  std::vector<std::string> eligible;
  const std::string cluster_key = selector.cluster_id ? to_lower(*selector.cluster_id) : std::string();
  for (const auto& [id, node] : nodes_) {
    if (node.state == NodeState::kLeaving || node.state == NodeState::kUnusable) continue;
    if (low_priority_only && !node.low_priority) continue;
    if (!cluster_key.empty() && node.cluster_key != cluster_key) continue;
    eligible.push_back(id);
  }
  std::vector<std::string> chosen;
  for (std::int32_t i = 0; i < selector.count && !eligible.empty(); ++i) {
    const auto pick = static_cast<std::size_t>(fault_rng_.uniform_u64(0, eligible.size() - 1));
    chosen.push_back(eligible[pick]);
    eligible.erase(eligible.begin() + static_cast<std::ptrdiff_t>(pick));
  }
  return chosen;
}

core::Result<std::vector<std::string>> Engine::fail_nodes(const NodeSelector& selector) {
  return inject_node_fault(selector, false);
}

core::Result<std::vector<std::string>> Engine::preempt_nodes(const NodeSelector& selector) {
  return inject_node_fault(selector, true);
}

core::Result<std::vector<std::string>> Engine::inject_node_fault(const NodeSelector& selector, bool preemption) {
  std::vector<std::string> ids;
  if (selector.node_id) {
    auto it = nodes_.find(*selector.node_id);
    if (it == nodes_.end() || it->second.state == NodeState::kLeaving) {
      return core::Error::not_found("NodeNotFound", fmt::format("No node {} is allocated", *selector.node_id));
    }
    ids.push_back(*selector.node_id);
  } else {
    ids = select_nodes(selector, false);
  }
  for (const auto& id : ids) {
    emit("fault", id, "", preemption ? "node-preemption" : "node-failure", "injected");
    lose_node(id, preemption, preemption ? "node preempted (injected)" : "node failure (injected)");
  }
  if (auto r = flush(); !r) return r.error();
  return ids;
}

void Engine::record_fault(std::string_view kind, const std::string& subject, core::JournalRecord::Details details) {
  emit("fault", subject, "", kind, "injected", std::move(details));
  commit_pending();
}

}  // namespace emu::engine
