#include "emulator/engine/engine.hpp"

#include <fmt/format.h>

#include "emulator/core/log.hpp"
#include "emulator/engine/record_codec.hpp"
#include "emulator/engine/uuid.hpp"

namespace emu::engine {

namespace {

using core::Error;
using model::ProvisioningState;

constexpr const char* kWorkspaces = "workspaces";
constexpr const char* kExperiments = "experiments";
constexpr const char* kClusters = "clusters";
constexpr const char* kFileServers = "fileservers";
constexpr const char* kJobs = "jobs";
constexpr const char* kOperations = "operations";
constexpr const char* kMeta = "meta";

std::string_view collection_of(ResourceType type) {
  switch (type) {
    case ResourceType::kWorkspace: return kWorkspaces;
    case ResourceType::kExperiment: return kExperiments;
    case ResourceType::kJob: return kJobs;
    case ResourceType::kCluster: return kClusters;
    case ResourceType::kFileServer: return kFileServers;
  }
  return kWorkspaces;
}

// "WorkspaceNotFound", "The specified workspace ws is not found": the live service's wording.
Error not_found(const ResourcePath& path) {
  switch (path.type) {
    case ResourceType::kWorkspace:
      return Error::not_found("WorkspaceNotFound", fmt::format("The specified workspace {} is not found", path.name));
    case ResourceType::kExperiment:
      return Error::not_found("ExperimentNotFound", fmt::format("The specified experiment {} is not found", path.name));
    case ResourceType::kJob:
      return Error::not_found("JobNotFound", fmt::format("The specified job {} is not found", path.name));
    case ResourceType::kCluster:
      return Error::not_found("ClusterNotFound", fmt::format("The specified cluster {} is not found", path.name));
    case ResourceType::kFileServer:
      return Error::not_found("FileServerNotFound", fmt::format("The specified file server {} is not found", path.name));
  }
  return Error::internal("unknown resource type");
}

Error being_deleted(const ResourcePath& path) {
  return Error::conflict("ResourceBeingDeleted",
                         fmt::format("The {} {} is being deleted; wait for the delete operation to finish",
                                     path.noun(), path.name));
}

template <typename Map>
auto find_key(Map& map, const std::string& key) -> decltype(&map.begin()->second) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

// Lists `map` entries whose key starts with `prefix`, after the key `prefix + after`, at most `limit`.
template <typename Record, typename Map>
Page<Record> page_of(const Map& map, const std::string& prefix, const std::string& after, std::size_t limit,
                     std::string_view exclude_infix = {}) {
  Page<Record> page;
  auto it = after.empty() ? map.lower_bound(prefix) : map.upper_bound(prefix + after);
  for (; it != map.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    if (!exclude_infix.empty() && it->first.find(exclude_infix, prefix.size()) != std::string::npos) continue;
    if (page.items.size() == limit) {
      page.continue_after = page.items.empty() ? std::string{} : page.items.back()->path.key().substr(prefix.size());
      break;
    }
    page.items.push_back(&it->second);
  }
  return page;
}

}  // namespace

Engine::Engine(core::Executor& executor, DocumentStore& store, const VmSizeCatalog& catalog, EngineSettings settings,
               std::uint64_t seed)
    : executor_(executor), store_(store), catalog_(catalog), settings_(std::move(settings)), seed_(seed) {}

// ---------------------------------------------------------------------------------------------------------------------
// Persistence

core::Result<void> Engine::commit(const WriteBatch& batch) {
  if (batch.empty()) return {};
  auto result = store_.commit(batch);
  if (!result) {
    core::log::error("state could not be saved: {}", result.error().message);
    return Error::internal("The emulator could not save the change to its data directory (" +
                           result.error().message + "); nothing was changed. Check free disk space and permissions.");
  }
  return {};
}

void Engine::persist_or_log(const WriteBatch& batch, std::string_view what) {
  if (auto r = commit(batch); !r) core::log::error("{}: {}", what, r.error().message);
}

std::string Engine::next_uuid(WriteBatch& batch) {
  std::string id = deterministic_uuid(seed_, ids_issued_++);
  batch.put(kMeta, "ids_issued", std::to_string(ids_issued_));
  return id;
}

core::Result<void> Engine::load() {
  auto meta = store_.load(kMeta);
  if (!meta) return meta.error();
  for (const auto& doc : *meta) {
    if (doc.key == "ids_issued") ids_issued_ = std::stoull(doc.body);
  }
  auto load_all = [&](const char* collection, auto& map, auto decode) -> core::Result<void> {
    auto docs = store_.load(collection);
    if (!docs) return docs.error();
    for (const auto& doc : *docs) {
      auto record = decode(doc.body);
      if (!record) {
        return Error::internal(fmt::format("stored {} {} is unreadable: {}", collection, doc.key,
                                           record.error().message));
      }
      map.emplace(doc.key, std::move(*record));
    }
    return {};
  };
  if (auto r = load_all(kWorkspaces, workspaces_, decode_workspace); !r) return r;
  if (auto r = load_all(kExperiments, experiments_, decode_experiment); !r) return r;
  if (auto r = load_all(kClusters, clusters_, decode_cluster); !r) return r;
  if (auto r = load_all(kFileServers, file_servers_, decode_file_server); !r) return r;
  if (auto r = load_all(kJobs, jobs_, decode_job); !r) return r;
  if (auto r = load_all(kOperations, operations_, decode_operation); !r) return r;
  for (const auto& [id, op] : operations_) {
    if (op.status == OperationStatus::kInProgress) resume_operation(op);
  }
  return {};
}

const OperationRecord* Engine::remember_operation(OperationRecord op) {
  auto [it, inserted] = operations_.insert_or_assign(op.id, std::move(op));
  return &it->second;
}

OperationRecord Engine::new_operation(OperationKind kind, const ResourcePath& target, WriteBatch& batch) {
  OperationRecord op;
  op.id = next_uuid(batch);
  op.location = location_of(target);
  op.kind = kind;
  op.target = target;
  op.start_time = executor_.now();
  batch.put(kOperations, op.id, encode(op));
  return op;
}

void Engine::finish_operation(const std::string& operation_id, OperationStatus status, WriteBatch& batch,
                              std::optional<model::BatchAIError> error) {
  auto* op = find_key(operations_, operation_id);
  if (op == nullptr || op->status != OperationStatus::kInProgress) return;
  OperationRecord done = *op;
  done.status = status;
  done.end_time = executor_.now();
  done.error = std::move(error);
  batch.put(kOperations, done.id, encode(done));
  *op = std::move(done);
}

std::string Engine::location_of(const ResourcePath& path) const {
  auto it = workspaces_.find(path.workspace_of().key());
  return it == workspaces_.end() ? std::string("local") : to_lower(it->second.location);
}

// ---------------------------------------------------------------------------------------------------------------------
// Lookups

core::Result<const WorkspaceRecord*> Engine::find_workspace(const ResourcePath& path) const {
  const ResourcePath ws = path.workspace_of();
  auto it = workspaces_.find(ws.key());
  if (it == workspaces_.end()) return not_found(ws);
  return &it->second;
}

core::Result<const ExperimentRecord*> Engine::find_experiment(const ResourcePath& path) const {
  if (auto ws = find_workspace(path); !ws) return ws.error();
  const ResourcePath exp = path.experiment_of();
  auto it = experiments_.find(exp.key());
  if (it == experiments_.end()) return not_found(exp);
  return &it->second;
}

core::Result<const WorkspaceRecord*> Engine::get_workspace(const ResourcePath& path) const {
  return find_workspace(path);
}

core::Result<const ExperimentRecord*> Engine::get_experiment(const ResourcePath& path) const {
  return find_experiment(path);
}

core::Result<const ClusterRecord*> Engine::get_cluster(const ResourcePath& path) const {
  if (auto ws = find_workspace(path); !ws) return ws.error();
  auto it = clusters_.find(path.key());
  if (it == clusters_.end()) return not_found(path);
  return &it->second;
}

core::Result<const FileServerRecord*> Engine::get_file_server(const ResourcePath& path) const {
  if (auto ws = find_workspace(path); !ws) return ws.error();
  auto it = file_servers_.find(path.key());
  if (it == file_servers_.end()) return not_found(path);
  return &it->second;
}

core::Result<const JobRecord*> Engine::get_job(const ResourcePath& path) const {
  if (auto exp = find_experiment(path); !exp) return exp.error();
  auto it = jobs_.find(path.key());
  if (it == jobs_.end()) return not_found(path);
  return &it->second;
}

core::Result<const OperationRecord*> Engine::get_operation(const std::string& operation_id) const {
  auto it = operations_.find(to_lower(operation_id));
  if (it == operations_.end()) {
    return Error::not_found("OperationNotFound", fmt::format("The operation {} is not found", operation_id));
  }
  return &it->second;
}

// ---------------------------------------------------------------------------------------------------------------------
// Lists

Page<WorkspaceRecord> Engine::list_workspaces(const std::string& subscription,
                                              const std::optional<std::string>& resource_group,
                                              const std::string& after, std::size_t limit) const {
  const std::string prefix =
      resource_group ? workspaces_prefix(subscription, *resource_group) : workspaces_prefix(subscription);
  return page_of<WorkspaceRecord>(workspaces_, prefix, after, limit);
}

core::Result<Page<ExperimentRecord>> Engine::list_experiments(const ResourcePath& workspace, const std::string& after,
                                                              std::size_t limit) const {
  if (auto ws = find_workspace(workspace); !ws) return ws.error();
  return page_of<ExperimentRecord>(experiments_, children_prefix(workspace.workspace_of(), ResourceType::kExperiment),
                                   after, limit);
}

core::Result<Page<ClusterRecord>> Engine::list_clusters(const ResourcePath& workspace, const std::string& after,
                                                        std::size_t limit) const {
  if (auto ws = find_workspace(workspace); !ws) return ws.error();
  return page_of<ClusterRecord>(clusters_, children_prefix(workspace.workspace_of(), ResourceType::kCluster), after,
                                limit);
}

core::Result<Page<FileServerRecord>> Engine::list_file_servers(const ResourcePath& workspace, const std::string& after,
                                                               std::size_t limit) const {
  if (auto ws = find_workspace(workspace); !ws) return ws.error();
  return page_of<FileServerRecord>(file_servers_, children_prefix(workspace.workspace_of(), ResourceType::kFileServer),
                                   after, limit);
}

core::Result<Page<JobRecord>> Engine::list_jobs(const ResourcePath& experiment, const std::string& after,
                                                std::size_t limit) const {
  if (auto exp = find_experiment(experiment); !exp) return exp.error();
  return page_of<JobRecord>(jobs_, children_prefix(experiment.experiment_of(), ResourceType::kJob), after, limit);
}

// ---------------------------------------------------------------------------------------------------------------------
// Workspaces and experiments

core::Result<const WorkspaceRecord*> Engine::put_workspace(const ResourcePath& path,
                                                           const model::WorkspaceCreateParameters& params) {
  const std::string key = path.key();
  WorkspaceRecord record;
  if (auto* existing = find_key(workspaces_, key)) {
    if (existing->provisioning_state == ProvisioningState::kDeleting) return being_deleted(path);
    if (to_lower(existing->location) != to_lower(params.location)) {
      return Error::bad_request("LocationCannotBeChanged",
                                fmt::format("The workspace {} exists in location {}; it cannot move to {}",
                                            existing->path.name, existing->location, params.location),
                                "location");
    }
    record = *existing;
    record.tags = params.tags;
  } else {
    record.path = path;
    record.location = params.location;
    record.tags = params.tags;
    record.creation_time = executor_.now();
    // The live service answered PUT workspace synchronously with a succeeded workspace.
    record.provisioning_state = ProvisioningState::kSucceeded;
    record.provisioning_state_time = record.creation_time;
  }
  WriteBatch batch;
  batch.put(kWorkspaces, key, encode(record));
  if (auto r = commit(batch); !r) return r.error();
  auto [it, inserted] = workspaces_.insert_or_assign(key, std::move(record));
  return &it->second;
}

core::Result<const WorkspaceRecord*> Engine::update_workspace(const ResourcePath& path,
                                                              const model::WorkspaceUpdateParameters& params) {
  auto found = find_workspace(path);
  if (!found) return found.error();
  WorkspaceRecord record = **found;
  if (params.tags) record.tags = *params.tags;
  WriteBatch batch;
  batch.put(kWorkspaces, record.path.key(), encode(record));
  if (auto r = commit(batch); !r) return r.error();
  auto& slot = workspaces_[record.path.key()];
  slot = std::move(record);
  return &slot;
}

core::Result<const ExperimentRecord*> Engine::put_experiment(const ResourcePath& path) {
  if (auto ws = find_workspace(path); !ws) return ws.error();
  const std::string key = path.key();
  if (auto* existing = find_key(experiments_, key)) {
    if (existing->provisioning_state == ProvisioningState::kDeleting) return being_deleted(path);
    return existing;  // experiments have no properties to change
  }
  ExperimentRecord record;
  record.path = path;
  record.creation_time = executor_.now();
  record.provisioning_state = ProvisioningState::kSucceeded;
  record.provisioning_state_time = record.creation_time;
  WriteBatch batch;
  batch.put(kExperiments, key, encode(record));
  if (auto r = commit(batch); !r) return r.error();
  return &experiments_.emplace(key, std::move(record)).first->second;
}

// ---------------------------------------------------------------------------------------------------------------------
// Deletes (workspace, experiment, cluster, file server, job) share one shape: mark `deleting`, answer
// with an operation, remove the resource and everything under it when the deletion delay is over.

namespace {
template <typename Record>
void mark_deleting(Record& record, core::Time now) {
  record.provisioning_state = ProvisioningState::kDeleting;
  record.provisioning_state_time = now;
}
}  // namespace

core::Result<const OperationRecord*> Engine::delete_workspace(const ResourcePath& path) {
  auto found = find_workspace(path);
  if (!found) return found.error();
  WriteBatch batch;
  WorkspaceRecord record = **found;
  mark_deleting(record, executor_.now());
  batch.put(kWorkspaces, record.path.key(), encode(record));
  OperationRecord op = new_operation(OperationKind::kDelete, record.path, batch);
  if (auto r = commit(batch); !r) return r.error();
  workspaces_[record.path.key()] = std::move(record);
  const OperationRecord* stored = remember_operation(std::move(op));
  executor_.schedule_after(settings_.workspace_deletion_delay,
                           [this, p = stored->target, id = stored->id] { complete_deletion(p, id); });
  return stored;
}

core::Result<const OperationRecord*> Engine::delete_experiment(const ResourcePath& path) {
  auto found = find_experiment(path);
  if (!found) return found.error();
  WriteBatch batch;
  ExperimentRecord record = **found;
  mark_deleting(record, executor_.now());
  batch.put(kExperiments, record.path.key(), encode(record));
  OperationRecord op = new_operation(OperationKind::kDelete, record.path, batch);
  if (auto r = commit(batch); !r) return r.error();
  experiments_[record.path.key()] = std::move(record);
  const OperationRecord* stored = remember_operation(std::move(op));
  executor_.post([this, p = stored->target, id = stored->id] { complete_deletion(p, id); });
  return stored;
}

core::Result<const OperationRecord*> Engine::delete_cluster(const ResourcePath& path) {
  auto found = get_cluster(path);
  if (!found) return found.error();
  WriteBatch batch;
  ClusterRecord record = **found;
  mark_deleting(record, executor_.now());
  batch.put(kClusters, record.path.key(), encode(record));
  OperationRecord op = new_operation(OperationKind::kDelete, record.path, batch);
  if (auto r = commit(batch); !r) return r.error();
  clusters_[record.path.key()] = std::move(record);
  const OperationRecord* stored = remember_operation(std::move(op));
  executor_.schedule_after(settings_.cluster_deletion_delay,
                           [this, p = stored->target, id = stored->id] { complete_deletion(p, id); });
  return stored;
}

core::Result<const OperationRecord*> Engine::delete_file_server(const ResourcePath& path) {
  auto found = get_file_server(path);
  if (!found) return found.error();
  WriteBatch batch;
  FileServerRecord record = **found;
  mark_deleting(record, executor_.now());
  batch.put(kFileServers, record.path.key(), encode(record));
  OperationRecord op = new_operation(OperationKind::kDelete, record.path, batch);
  if (auto r = commit(batch); !r) return r.error();
  file_servers_[record.path.key()] = std::move(record);
  const OperationRecord* stored = remember_operation(std::move(op));
  executor_.schedule_after(settings_.file_server_deletion_delay,
                           [this, p = stored->target, id = stored->id] { complete_deletion(p, id); });
  return stored;
}

core::Result<const OperationRecord*> Engine::delete_job(const ResourcePath& path) {
  auto found = get_job(path);
  if (!found) return found.error();
  WriteBatch batch;
  JobRecord record = **found;
  mark_deleting(record, executor_.now());
  batch.put(kJobs, record.path.key(), encode(record));
  OperationRecord op = new_operation(OperationKind::kDelete, record.path, batch);
  if (auto r = commit(batch); !r) return r.error();
  jobs_[record.path.key()] = std::move(record);
  const OperationRecord* stored = remember_operation(std::move(op));
  executor_.schedule_after(settings_.job_deletion_delay,
                           [this, p = stored->target, id = stored->id] { complete_deletion(p, id); });
  return stored;
}

std::vector<std::string> Engine::keys_with_prefix(const std::string& prefix, ResourceType type) const {
  std::vector<std::string> keys;
  auto collect = [&](const auto& map) {
    for (auto it = map.lower_bound(prefix); it != map.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      keys.push_back(it->first);
    }
  };
  switch (type) {
    case ResourceType::kWorkspace: collect(workspaces_); break;
    case ResourceType::kExperiment: collect(experiments_); break;
    case ResourceType::kJob: collect(jobs_); break;
    case ResourceType::kCluster: collect(clusters_); break;
    case ResourceType::kFileServer: collect(file_servers_); break;
  }
  return keys;
}

void Engine::erase_tree(const ResourcePath& path, WriteBatch& batch) {
  const std::string key = path.key();
  auto erase_one = [&](ResourceType type, const std::string& k) {
    batch.erase(std::string(collection_of(type)), k);
    switch (type) {
      case ResourceType::kWorkspace: workspaces_.erase(k); break;
      case ResourceType::kExperiment: experiments_.erase(k); break;
      case ResourceType::kJob: jobs_.erase(k); break;
      case ResourceType::kCluster: clusters_.erase(k); break;
      case ResourceType::kFileServer: file_servers_.erase(k); break;
    }
  };
  if (path.type == ResourceType::kWorkspace || path.type == ResourceType::kExperiment) {
    // Children keys all start with the parent's key and a slash.
    for (ResourceType child : {ResourceType::kJob, ResourceType::kExperiment, ResourceType::kCluster,
                               ResourceType::kFileServer}) {
      for (const auto& k : keys_with_prefix(key + "/", child)) erase_one(child, k);
    }
  }
  erase_one(path.type, key);
}

void Engine::complete_deletion(ResourcePath path, const std::string& operation_id) {
  WriteBatch batch;
  erase_tree(path, batch);
  finish_operation(operation_id, OperationStatus::kSucceeded, batch);
  persist_or_log(batch, "saving a finished deletion");
}

// ---------------------------------------------------------------------------------------------------------------------
// Clusters

core::Result<const OperationRecord*> Engine::create_cluster(const ResourcePath& path, model::ClusterBaseProperties spec) {
  if (auto ws = find_workspace(path); !ws) return ws.error();
  const VmSize* size = catalog_.find(spec.vm_size);
  if (size == nullptr) {
    return Error::bad_request("InvalidVmSize",
                              fmt::format("The VM size {} is not one Batch AI offered; see docs/vm-sizes.md for the "
                                          "sizes the emulator knows",
                                          spec.vm_size),
                              "properties.vmSize");
  }
  const std::string key = path.key();
  if (auto* existing = find_key(clusters_, key)) {
    if (existing->provisioning_state == ProvisioningState::kDeleting) return being_deleted(path);
    return Error::conflict("ResourceAlreadyExists",
                           fmt::format("The cluster {} already exists; clusters cannot be changed by PUT, only "
                                       "their scale settings by PATCH. Delete it first to re-create it.",
                                       existing->path.name));
  }
  WriteBatch batch;
  ClusterRecord record;
  record.path = path;
  record.spec = std::move(spec);
  record.creation_time = executor_.now();
  record.provisioning_state = ProvisioningState::kCreating;
  record.provisioning_state_time = record.creation_time;
  record.allocation_state = model::AllocationState::kSteady;
  record.allocation_state_time = record.creation_time;
  record.setup_task_output_id = next_uuid(batch);
  batch.put(kClusters, key, encode(record));
  OperationRecord op = new_operation(OperationKind::kCreate, path, batch);
  if (auto r = commit(batch); !r) return r.error();
  clusters_.emplace(key, std::move(record));
  const OperationRecord* stored = remember_operation(std::move(op));
  executor_.schedule_after(settings_.cluster_provisioning_delay,
                           [this, key, id = stored->id] { complete_cluster_provisioning(key, id); });
  return stored;
}

void Engine::complete_cluster_provisioning(const std::string& key, const std::string& operation_id) {
  auto* cluster = find_key(clusters_, key);
  WriteBatch batch;
  if (cluster != nullptr && cluster->provisioning_state == ProvisioningState::kCreating) {
    cluster->provisioning_state = ProvisioningState::kSucceeded;
    cluster->provisioning_state_time = executor_.now();
    batch.put(kClusters, key, encode(*cluster));
  }
  finish_operation(operation_id, OperationStatus::kSucceeded, batch);
  persist_or_log(batch, "saving a provisioned cluster");
}

core::Result<const ClusterRecord*> Engine::update_cluster(const ResourcePath& path,
                                                          const model::ClusterUpdateProperties& update) {
  auto found = get_cluster(path);
  if (!found) return found.error();
  if ((*found)->provisioning_state == ProvisioningState::kDeleting) return being_deleted(path);
  ClusterRecord record = **found;
  if (update.scale_settings) record.spec.scale_settings = *update.scale_settings;
  WriteBatch batch;
  batch.put(kClusters, record.path.key(), encode(record));
  if (auto r = commit(batch); !r) return r.error();
  auto& slot = clusters_[record.path.key()];
  slot = std::move(record);
  return &slot;
}

core::Result<std::vector<RemoteLogin>> Engine::cluster_remote_logins(const ResourcePath& path) const {
  auto found = get_cluster(path);
  if (!found) return found.error();
  return std::vector<RemoteLogin>{};
}

// ---------------------------------------------------------------------------------------------------------------------
// File servers

core::Result<const OperationRecord*> Engine::create_file_server(const ResourcePath& path,
                                                                model::FileServerBaseProperties spec) {
  if (auto ws = find_workspace(path); !ws) return ws.error();
  const VmSize* size = catalog_.find(spec.vm_size);
  if (size == nullptr) {
    return Error::bad_request("InvalidVmSize",
                              fmt::format("The VM size {} is not one Batch AI offered; see docs/vm-sizes.md for the "
                                          "sizes the emulator knows",
                                          spec.vm_size),
                              "properties.vmSize");
  }
  const std::string key = path.key();
  if (auto* existing = find_key(file_servers_, key)) {
    if (existing->provisioning_state == ProvisioningState::kDeleting) return being_deleted(path);
    return Error::conflict("ResourceAlreadyExists",
                           fmt::format("The file server {} already exists; delete it first to re-create it.",
                                       existing->path.name));
  }
  WriteBatch batch;
  FileServerRecord record;
  record.path = path;
  record.spec = std::move(spec);
  record.creation_time = executor_.now();
  record.provisioning_state = ProvisioningState::kCreating;
  record.provisioning_state_time = record.creation_time;
  batch.put(kFileServers, key, encode(record));
  OperationRecord op = new_operation(OperationKind::kCreate, path, batch);
  if (auto r = commit(batch); !r) return r.error();
  file_servers_.emplace(key, std::move(record));
  const OperationRecord* stored = remember_operation(std::move(op));
  executor_.schedule_after(settings_.file_server_provisioning_delay,
                           [this, key, id = stored->id] { complete_file_server_provisioning(key, id); });
  return stored;
}

void Engine::complete_file_server_provisioning(const std::string& key, const std::string& operation_id) {
  auto* server = find_key(file_servers_, key);
  WriteBatch batch;
  if (server != nullptr && server->provisioning_state == ProvisioningState::kCreating) {
    server->provisioning_state = ProvisioningState::kSucceeded;
    server->provisioning_state_time = executor_.now();
    // One VM per file server in its own virtual network, as the live service set it up.
    server->mount_settings.mount_point = "/mnt/data";
    server->mount_settings.file_server_internal_ip = "10.0.0.4";
    server->mount_settings.file_server_public_ip = "127.0.0.1";
    batch.put(kFileServers, key, encode(*server));
  }
  finish_operation(operation_id, OperationStatus::kSucceeded, batch);
  persist_or_log(batch, "saving a provisioned file server");
}

// ---------------------------------------------------------------------------------------------------------------------
// Jobs

core::Result<const OperationRecord*> Engine::create_job(const ResourcePath& path, model::JobBaseProperties spec) {
  if (auto exp = find_experiment(path); !exp) return exp.error();
  if ((*find_experiment(path))->provisioning_state == ProvisioningState::kDeleting) {
    return being_deleted(path.experiment_of());
  }
  // The cluster is named by its ARM id; it must exist (in any workspace of this subscription).
  const std::string cluster_key = to_lower(spec.cluster.id);
  const ClusterRecord* cluster = find_key(clusters_, cluster_key);
  if (cluster == nullptr || cluster->provisioning_state == ProvisioningState::kDeleting) {
    return Error::bad_request("ClusterNotFound",
                              fmt::format("The cluster {} named by the job does not exist; create it first or fix "
                                          "properties.cluster.id",
                                          spec.cluster.id),
                              "properties.cluster.id");
  }
  const std::string key = path.key();
  if (auto* existing = find_key(jobs_, key)) {
    if (existing->provisioning_state == ProvisioningState::kDeleting) return being_deleted(path);
    return Error::conflict("ResourceAlreadyExists",
                           fmt::format("The job {} already exists; jobs cannot be changed. Delete it first or use "
                                       "another name.",
                                       existing->path.name));
  }
  spec.cluster.id = cluster->path.arm_id();
  WriteBatch batch;
  JobRecord record;
  record.path = path;
  record.spec = std::move(spec);
  record.output_id = next_uuid(batch);
  record.creation_time = executor_.now();
  record.provisioning_state = ProvisioningState::kSucceeded;
  record.provisioning_state_time = record.creation_time;
  record.execution_state = model::ExecutionState::kQueued;
  record.execution_state_time = record.creation_time;
  batch.put(kJobs, key, encode(record));
  OperationRecord op = new_operation(OperationKind::kCreate, path, batch);
  // A job exists as soon as it is accepted; its operation is done at once (executionState says the rest).
  op.status = OperationStatus::kSucceeded;
  op.end_time = executor_.now();
  batch.put(kOperations, op.id, encode(op));
  if (auto r = commit(batch); !r) return r.error();
  jobs_.emplace(key, std::move(record));
  return remember_operation(std::move(op));
}

core::Result<const OperationRecord*> Engine::terminate_job(const ResourcePath& path) {
  auto found = get_job(path);
  if (!found) return found.error();
  const JobRecord& job = **found;
  using model::ExecutionState;
  if (job.execution_state == ExecutionState::kSucceeded || job.execution_state == ExecutionState::kFailed) {
    return static_cast<const OperationRecord*>(nullptr);
  }
  if (job.provisioning_state == ProvisioningState::kDeleting) return being_deleted(path);
  WriteBatch batch;
  JobRecord record = job;
  record.execution_state = ExecutionState::kTerminating;
  record.execution_state_time = executor_.now();
  batch.put(kJobs, record.path.key(), encode(record));
  OperationRecord op = new_operation(OperationKind::kTerminate, record.path, batch);
  if (auto r = commit(batch); !r) return r.error();
  jobs_[record.path.key()] = std::move(record);
  const OperationRecord* stored = remember_operation(std::move(op));
  executor_.post([this, key = path.key(), id = stored->id] { complete_termination(key, id); });
  return stored;
}

void Engine::complete_termination(const std::string& key, const std::string& operation_id) {
  WriteBatch batch;
  if (auto* job = find_key(jobs_, key); job != nullptr && job->execution_state == model::ExecutionState::kTerminating) {
    const core::Time now = executor_.now();
    job->execution_state = model::ExecutionState::kFailed;
    job->execution_state_time = now;
    job->end_time = now;
    job->exit_code.reset();
    job->errors = {model::BatchAIError{"JobTerminated", "The specified job has been terminated by the user", {}}};
    batch.put(kJobs, key, encode(*job));
  }
  finish_operation(operation_id, OperationStatus::kSucceeded, batch);
  persist_or_log(batch, "saving a terminated job");
}

core::Result<std::vector<RemoteLogin>> Engine::job_remote_logins(const ResourcePath& path) const {
  auto found = get_job(path);
  if (!found) return found.error();
  return std::vector<RemoteLogin>{};
}

// ---------------------------------------------------------------------------------------------------------------------
// Restart

void Engine::resume_operation(const OperationRecord& op) {
  const std::string key = op.target.key();
  const std::string id = op.id;
  switch (op.kind) {
    case OperationKind::kCreate:
      if (op.target.type == ResourceType::kCluster) {
        executor_.post([this, key, id] { complete_cluster_provisioning(key, id); });
      } else if (op.target.type == ResourceType::kFileServer) {
        executor_.post([this, key, id] { complete_file_server_provisioning(key, id); });
      } else {
        executor_.post([this, id] {
          WriteBatch batch;
          finish_operation(id, OperationStatus::kSucceeded, batch);
          persist_or_log(batch, "saving a resumed operation");
        });
      }
      break;
    case OperationKind::kDelete:
      executor_.post([this, target = op.target, id] { complete_deletion(target, id); });
      break;
    case OperationKind::kTerminate:
      executor_.post([this, key, id] { complete_termination(key, id); });
      break;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Usages

std::vector<UsageFigure> Engine::usages(const std::string& subscription, const std::string& location) const {
  // vCPUs in use: every allocated node of every cluster of this subscription in this region.
  std::map<std::string, std::int64_t, std::less<>> dedicated_by_family;
  std::map<std::string, std::int64_t, std::less<>> low_priority_by_family;
  std::int64_t dedicated_total = 0;
  std::int64_t low_priority_total = 0;
  std::int64_t clusters = 0;
  const std::string prefix = workspaces_prefix(subscription);
  for (auto it = clusters_.lower_bound(prefix); it != clusters_.end() && it->first.starts_with(prefix); ++it) {
    const ClusterRecord& cluster = it->second;
    if (to_lower(location_of(cluster.path)) != to_lower(location)) continue;
    ++clusters;
    const VmSize* size = catalog_.find(cluster.spec.vm_size);
    if (size == nullptr) continue;
    const auto& c = cluster.node_counts;
    const std::int64_t nodes = c.idle_node_count + c.running_node_count + c.preparing_node_count +
                               c.unusable_node_count + c.leaving_node_count;
    const std::int64_t vcpus = nodes * size->vcpus;
    if (cluster.spec.vm_priority == model::VmPriority::kLowPriority) {
      low_priority_by_family[size->family] += vcpus;
      low_priority_total += vcpus;
    } else {
      dedicated_by_family[size->family] += vcpus;
      dedicated_total += vcpus;
    }
  }
  auto value_in = [](const auto& map, const std::string& key) -> std::int64_t {
    auto found = map.find(key);
    return found == map.end() ? 0 : found->second;
  };
  std::vector<UsageFigure> out;
  out.push_back({"Clusters", "Clusters", clusters, settings_.cluster_quota});
  out.push_back({"Total Cluster Dedicated Regional vCPUs", "Total Cluster Dedicated Regional vCPUs", dedicated_total,
                 settings_.total_dedicated_vcpu_quota});
  const std::vector<std::string> families = catalog_.families();
  for (const auto& family : families) {
    const std::string display = VmSizeCatalog::family_display_name(family);
    std::int64_t limit = settings_.dedicated_vcpu_quota_per_family;
    if (auto o = settings_.dedicated_quota_overrides.find(display); o != settings_.dedicated_quota_overrides.end()) {
      limit = o->second;
    }
    const std::string name = display + " Cluster Dedicated vCPUs";
    out.push_back({name, name, value_in(dedicated_by_family, family), limit});
  }
  out.push_back({"Total Cluster LowPriority Regional vCPUs", "Total Cluster Low Priority Regional vCPUs",
                 low_priority_total, settings_.total_low_priority_vcpu_quota});
  for (const auto& family : families) {
    const std::string display = VmSizeCatalog::family_display_name(family);
    out.push_back({display + " Cluster LowPriority vCPUs", display + " Cluster Low Priority vCPUs",
                   value_in(low_priority_by_family, family), settings_.low_priority_vcpu_quota_per_family});
  }
  return out;
}

}  // namespace emu::engine
