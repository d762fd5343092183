#include "emulator/engine/engine.hpp"

#include <algorithm>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "emulator/core/log.hpp"
#include "emulator/engine/engine_errors.hpp"
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
constexpr const char* kNodes = "nodes";
constexpr const char* kOperations = "operations";
constexpr const char* kEvents = "events";
constexpr const char* kMeta = "meta";

template <typename Map>
auto find_key(Map& map, std::string_view key) -> decltype(&map.begin()->second) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

// Lists `map` entries whose key starts with `prefix`, after the key `prefix + after`, at most `limit`.
template <typename Record, typename Map>
Page<Record> page_of(const Map& map, const std::string& prefix, const std::string& after, std::size_t limit) {
  Page<Record> page;
  auto it = after.empty() ? map.lower_bound(prefix) : map.upper_bound(prefix + after);
  for (; it != map.end() && it->first.starts_with(prefix); ++it) {
    if (page.items.size() == limit) {
      page.continue_after = page.items.back()->path.key().substr(prefix.size());
      break;
    }
    page.items.push_back(&it->second);
  }
  return page;
}

std::string padded(std::uint64_t sequence) { return fmt::format("{:020}", sequence); }

// Journal records read from the store at a time (on restart, and for events older than memory holds).
constexpr std::size_t kEventPage = 10'000;

template <typename Record>
void mark_deleting(Record& record, core::Time now) {
  record.provisioning_state = ProvisioningState::kDeleting;
  record.provisioning_state_time = now;
}

}  // namespace

Engine::Engine(core::Executor& executor, DocumentStore& store, NodeBackend& backend, core::Journal& journal,
               const VmSizeCatalog& catalog, EngineSettings settings, std::uint64_t seed)
    : executor_(executor),
      store_(store),
      backend_(backend),
      journal_(journal),
      catalog_(catalog),
      settings_(std::move(settings)),
      seed_(seed),
      fault_rng_(core::Rng(seed).fork("faults")),
      preemption_rng_(core::Rng(seed).fork("low-priority-preemption")),
      persist_(!store.is_ephemeral()) {
  backend_.set_events(this);
}

Engine::~Engine() { backend_.set_events(nullptr); }

// ---------------------------------------------------------------------------------------------------------------------
// Persistence and the journal

void Engine::save(const WorkspaceRecord& r) { if (persist_) batch_.put(kWorkspaces, r.path.key(), encode(r)); }
void Engine::save(const ExperimentRecord& r) { if (persist_) batch_.put(kExperiments, r.path.key(), encode(r)); }
void Engine::save(const ClusterRecord& r) { if (persist_) batch_.put(kClusters, r.path.key(), encode(r)); }
void Engine::save(const FileServerRecord& r) { if (persist_) batch_.put(kFileServers, r.path.key(), encode(r)); }
void Engine::save(const JobRecord& r) { if (persist_) batch_.put(kJobs, r.path.key(), encode(r)); }
void Engine::save(const NodeRecord& r) { if (persist_) batch_.put(kNodes, r.id, encode(r)); }
void Engine::save(const OperationRecord& r) { if (persist_) batch_.put(kOperations, r.id, encode(r)); }

void Engine::save_counters() {
  if (!persist_) return;
  batch_.put(kMeta, "counters",
             fmt::format("{{\"idsIssued\":{},\"jobsSubmitted\":{},\"clustersCreated\":{}}}", ids_issued_,
                         jobs_submitted_, clusters_created_));
}

core::Result<void> Engine::flush() {
  ++state_revision_;
  if (batch_.empty()) return {};
  WriteBatch batch = std::move(batch_);
  batch_ = WriteBatch{};
  auto result = store_.commit(batch);
  if (!result) {
    core::log::error("state could not be saved: {}", result.error().message);
    return Error::internal("The emulator could not save the change to its data directory (" +
                           result.error().message + "). Check free disk space and permissions.");
  }
  return {};
}

void Engine::commit_pending() {
  // A timer's changes have no client waiting; flush() has logged a failure already.
  (void)flush();
}

void Engine::emit(std::string_view kind, const std::string& subject, std::string_view from, std::string_view to,
                  std::string_view reason, core::JournalRecord::Details details) {
  ++state_revision_;
  const auto& record = journal_.append(executor_.now(), std::string(kind), subject, std::string(from),
                                       std::string(to), std::string(reason), std::move(details));
  if (persist_) batch_.put(kEvents, padded(record.sequence), core::Journal::canonical_line(record));
}

core::Result<std::vector<core::JournalRecord>> Engine::load_events(std::uint64_t from, std::size_t limit) {
  auto docs = store_.load_range(kEvents, padded(from), limit);
  if (!docs) return docs.error();
  std::vector<core::JournalRecord> records;
  records.reserve(docs->size());
  for (const auto& doc : *docs) {
    auto record = decode_journal_record(doc.body);
    if (!record) return Error::internal("stored journal record " + doc.key + " is unreadable");
    records.push_back(std::move(*record));
  }
  return records;
}

core::Result<std::vector<core::JournalRecord>> Engine::events_since(std::uint64_t after, std::size_t limit) {
  const std::uint64_t in_memory = journal_.first_kept_sequence();
  std::vector<core::JournalRecord> out;
  if (persist_ && after + 1 < in_memory && limit > 0) {
    // Older than memory holds: those are in the store (committed long before they left memory).
    const auto older = static_cast<std::size_t>(std::min<std::uint64_t>(in_memory - after - 1, limit));
    auto stored = load_events(after + 1, std::min(older, kEventPage));
    if (!stored) return stored.error();
    out = std::move(*stored);
    if (!out.empty() && out.size() < older) return out;  // a page; the client asks again after its last
    after = in_memory - 1;
    limit -= out.size();
  }
  auto recent = journal_.since(after, limit);
  if (out.empty()) return recent;
  out.insert(out.end(), std::make_move_iterator(recent.begin()), std::make_move_iterator(recent.end()));
  return out;
}

std::uint64_t Engine::oldest_event_sequence() const { return persist_ ? 1 : journal_.first_kept_sequence(); }

std::string Engine::next_uuid() { return deterministic_uuid(seed_, ids_issued_++); }

const OperationRecord* Engine::repeated_put(const ResourcePath& path) {
  // The same body again (a client retrying): accepted, and its operation is done at once.
  const OperationRecord* op = start_operation(OperationKind::kCreate, path);
  finish_operation(op->id, OperationStatus::kSucceeded);
  commit_pending();
  return op;
}

const OperationRecord* Engine::start_operation(OperationKind kind, const ResourcePath& target) {
  OperationRecord op;
  op.id = next_uuid();
  op.location = location_of(target);
  op.kind = kind;
  op.target = target;
  op.start_time = executor_.now();
  ++operations_in_flight_;
  save(op);
  save_counters();
  emit("operation", op.id, "", "InProgress", fmt::format("{} {}", to_string(kind), target.noun()),
       {{"resource", target.arm_id()}});
  return &operations_.insert_or_assign(op.id, std::move(op)).first->second;
}

void Engine::finish_operation(const std::string& operation_id, OperationStatus status) {
  auto* op = find_key(operations_, operation_id);
  if (op == nullptr || op->status != OperationStatus::kInProgress) return;
  --operations_in_flight_;
  op->status = status;
  op->end_time = executor_.now();
  save(*op);
  emit("operation", op->id, "InProgress", to_string(status), "");
}

core::Result<void> Engine::check_operation_limit() const {
  const auto in_flight = static_cast<std::int64_t>(operations_in_flight_);
  if (in_flight < settings_.max_operations_in_flight) return {};
  return Error{core::ErrorKind::kTooManyRequests, "TooManyOperationsInFlight",
               fmt::format("{} long-running operations are in flight and the emulator's limit is {}; retry when one "
                           "has finished, or raise limits.maxOperationsInFlight in the --config file",
                           in_flight, settings_.max_operations_in_flight),
               {}};
}

core::Result<void> Engine::check_job_limit(const ResourcePath& job) const {
  const ResourcePath experiment = job.experiment_of();
  auto it = jobs_per_experiment_.find(experiment.key());
  const std::int64_t jobs = it == jobs_per_experiment_.end() ? 0 : it->second;
  if (jobs < settings_.max_jobs_per_experiment) return {};
  return Error::conflict("JobQuotaReached",
                         fmt::format("The experiment {} has {} jobs and the emulator's limit is {} jobs per "
                                     "experiment; delete finished jobs, use another experiment, or raise "
                                     "limits.maxJobsPerExperiment in the --config file",
                                     experiment.name, jobs, settings_.max_jobs_per_experiment));
}

std::string Engine::location_of(const ResourcePath& path) const {
  auto it = workspaces_.find(path.workspace_of().key());
  return it == workspaces_.end() ? std::string("local") : to_lower(it->second.location);
}

core::Result<void> Engine::load() {
  auto meta = store_.load(kMeta);
  if (!meta) return meta.error();
  for (const auto& doc : *meta) {
    if (doc.key != "counters") continue;
    boost::system::error_code ec;
    auto v = boost::json::parse(doc.body, ec);
    if (ec || !v.is_object()) return Error::internal("stored counters are unreadable");
    auto number = [&](const char* key) -> std::uint64_t {
      const auto* n = v.as_object().if_contains(key);
      return n != nullptr && n->is_int64() ? static_cast<std::uint64_t>(n->as_int64()) : 0;
    };
    ids_issued_ = number("idsIssued");
    jobs_submitted_ = number("jobsSubmitted");
    clusters_created_ = static_cast<std::uint32_t>(number("clustersCreated"));
  }
  auto load_all = [&](const char* collection, auto& map, auto decode) -> core::Result<void> {
    auto docs = store_.load(collection);
    if (!docs) return docs.error();
    for (const auto& doc : *docs) {
      auto record = decode(doc.body);
      if (!record) {
        return Error::internal(
            fmt::format("stored {} {} is unreadable: {}", collection, doc.key, record.error().message));
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
  for (const auto& [key, job] : jobs_) ++jobs_per_experiment_[job.path.experiment_of().key()];
  operations_in_flight_ = static_cast<std::size_t>(std::count_if(
      operations_.begin(), operations_.end(),
      [](const auto& entry) { return entry.second.status == OperationStatus::kInProgress; }));
  RecordMap<NodeRecord> old_nodes;
  if (auto r = load_all(kNodes, old_nodes, decode_node); !r) return r;

  // The journal continues where it stopped, so that its digest covers the whole history. The records
  // are read a page at a time: memory keeps only what the journal's retention allows.
  std::uint64_t next_event = 1;
  auto next_page = [&]() -> core::Result<std::vector<core::JournalRecord>> {
    auto page = load_events(next_event, kEventPage);
    if (page && !page->empty()) next_event = page->back().sequence + 1;
    return page;
  };
  if (auto r = journal_.restore_in_chunks(next_page); !r) return r;

  // Runtime state. Nodes and processes did not survive the restart: clusters allocate afresh, jobs
  // that were running go back to the queue, in-flight operations finish.
  for (auto& [key, cluster] : clusters_) {
    ClusterRuntime& rt = cluster_runtime_[key];
    rt.size = catalog_.find(cluster.spec.vm_size);
    rt.deleting = cluster.provisioning_state == ProvisioningState::kDeleting;
    cluster.node_counts = {};
  }
  for (const auto& [id, node] : old_nodes) {
    if (persist_) batch_.erase(kNodes, id);
    emit("node", id, to_string(node.state), "", "emulator restarted", {{"cluster", node.cluster_key}});
  }
  for (auto& [key, job] : jobs_) {
    JobRuntime& rt = job_runtime_[key];
    rt.queue_sequence = job.submit_sequence;
    if (job.execution_state == model::ExecutionState::kRunning ||
        job.execution_state == model::ExecutionState::kTerminating) {
      if (job.execution_state == model::ExecutionState::kTerminating) continue;  // its operation finishes it
      set_execution_state(job, model::ExecutionState::kQueued, "emulator restarted");
      job.start_time.reset();
      save(job);
    }
    if (job.execution_state == model::ExecutionState::kQueued && job.provisioning_state != ProvisioningState::kDeleting) {
      enqueue(job);
    }
  }
  for (const auto& [id, op] : operations_) {
    if (op.status == OperationStatus::kInProgress) resume_operation(op);
  }
  for (auto& [key, cluster] : clusters_) {
    if (cluster.provisioning_state == ProvisioningState::kSucceeded) {
      executor_.post([this, key = key] {
        apply_scale(key);
        commit_pending();
      });
    }
  }
  return flush();
}

// ---------------------------------------------------------------------------------------------------------------------
// Lookups

core::Result<const WorkspaceRecord*> Engine::find_workspace(const ResourcePath& path) const {
  const ResourcePath ws = path.workspace_of();
  auto it = workspaces_.find(ws.key());
  if (it == workspaces_.end()) return resource_not_found(ws);
  return &it->second;
}

core::Result<const ExperimentRecord*> Engine::find_experiment(const ResourcePath& path) const {
  if (auto ws = find_workspace(path); !ws) return ws.error();
  const ResourcePath exp = path.experiment_of();
  auto it = experiments_.find(exp.key());
  if (it == experiments_.end()) return resource_not_found(exp);
  return &it->second;
}

core::Result<const VmSize*> Engine::vm_size_of(const std::string& vm_size) const {
  const VmSize* size = catalog_.find(vm_size);
  if (size == nullptr) {
    return Error::bad_request("InvalidVmSize",
                              fmt::format("The VM size {} is not one Batch AI offered; docs/vm-sizes.md lists the "
                                          "sizes the emulator knows",
                                          vm_size),
                              "properties.vmSize");
  }
  return size;
}

core::Result<void> Engine::check_scale_settings(const model::ScaleSettings& scale) const {
  const std::int32_t limit = settings_.max_nodes_per_cluster;
  if (scale.manual && scale.manual->target_node_count > limit) {
    return Error::bad_request("InvalidPropertyValue",
                              fmt::format("targetNodeCount {} is more than the {} nodes a cluster may have",
                                          scale.manual->target_node_count, limit),
                              "properties.scaleSettings.manual.targetNodeCount");
  }
  if (scale.auto_scale && scale.auto_scale->maximum_node_count > limit) {
    return Error::bad_request("InvalidPropertyValue",
                              fmt::format("maximumNodeCount {} is more than the {} nodes a cluster may have",
                                          scale.auto_scale->maximum_node_count, limit),
                              "properties.scaleSettings.autoScale.maximumNodeCount");
  }
  return {};
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
  if (it == clusters_.end()) return resource_not_found(path);
  return &it->second;
}

core::Result<const FileServerRecord*> Engine::get_file_server(const ResourcePath& path) const {
  if (auto ws = find_workspace(path); !ws) return ws.error();
  auto it = file_servers_.find(path.key());
  if (it == file_servers_.end()) return resource_not_found(path);
  return &it->second;
}

core::Result<const JobRecord*> Engine::get_job(const ResourcePath& path) const {
  if (auto exp = find_experiment(path); !exp) return exp.error();
  auto it = jobs_.find(path.key());
  if (it == jobs_.end()) return resource_not_found(path);
  return &it->second;
}

const JobRecord* Engine::find_job(const std::string& key) const {
  auto it = jobs_.find(key);
  return it == jobs_.end() ? nullptr : &it->second;
}

const ClusterRecord* Engine::find_cluster(const std::string& key) const {
  auto it = clusters_.find(key);
  return it == clusters_.end() ? nullptr : &it->second;
}

core::Result<const OperationRecord*> Engine::get_operation(const std::string& operation_id) const {
  auto it = operations_.find(to_lower(operation_id));
  if (it == operations_.end()) {
    return Error::not_found("OperationNotFound", fmt::format("The operation {} is not found", operation_id));
  }
  return &it->second;
}

std::size_t Engine::queued_job_count() const {
  std::size_t n = 0;
  for (const auto& [key, rt] : cluster_runtime_) n += rt.queue.size();
  return n;
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

core::Result<Page<ExperimentRecord>> Engine::list_experiments(const ResourcePath& workspace,
                                                              const std::string& after, std::size_t limit) const {
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

core::Result<Page<FileServerRecord>> Engine::list_file_servers(const ResourcePath& workspace,
                                                               const std::string& after, std::size_t limit) const {
  if (auto ws = find_workspace(workspace); !ws) return ws.error();
  return page_of<FileServerRecord>(file_servers_,
                                   children_prefix(workspace.workspace_of(), ResourceType::kFileServer), after, limit);
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
  if (auto* existing = find_key(workspaces_, key)) {
    if (existing->provisioning_state == ProvisioningState::kDeleting) return resource_being_deleted(path);
    if (to_lower(existing->location) != to_lower(params.location)) {
      return Error::bad_request("LocationCannotBeChanged",
                                fmt::format("The workspace {} exists in location {}; it cannot move to {}",
                                            existing->path.name, existing->location, params.location),
                                "location");
    }
    existing->tags = params.tags;
    save(*existing);
    if (auto r = flush(); !r) return r.error();
    return existing;
  }
  WorkspaceRecord record;
  record.path = path;
  record.location = params.location;
  record.tags = params.tags;
  record.creation_time = executor_.now();
  // The live service answered PUT workspace synchronously with a succeeded workspace.
  record.provisioning_state = ProvisioningState::kSucceeded;
  record.provisioning_state_time = record.creation_time;
  save(record);
  emit("workspace", path.arm_id(), "", "succeeded", "created", {{"location", params.location}});
  if (auto r = flush(); !r) return r.error();
  return &workspaces_.emplace(key, std::move(record)).first->second;
}

core::Result<const WorkspaceRecord*> Engine::update_workspace(const ResourcePath& path,
                                                              const model::WorkspaceUpdateParameters& params) {
  auto found = find_workspace(path);
  if (!found) return found.error();
  auto* record = find_key(workspaces_, (*found)->path.key());
  if (params.tags) record->tags = *params.tags;
  save(*record);
  if (auto r = flush(); !r) return r.error();
  return record;
}

core::Result<const ExperimentRecord*> Engine::put_experiment(const ResourcePath& path) {
  if (auto ws = find_workspace(path); !ws) return ws.error();
  if ((*find_workspace(path))->provisioning_state == ProvisioningState::kDeleting) {
    return resource_being_deleted(path.workspace_of());
  }
  const std::string key = path.key();
  if (auto* existing = find_key(experiments_, key)) {
    if (existing->provisioning_state == ProvisioningState::kDeleting) return resource_being_deleted(path);
    return existing;  // experiments have no properties to change
  }
  ExperimentRecord record;
  record.path = path;
  record.creation_time = executor_.now();
  record.provisioning_state = ProvisioningState::kSucceeded;
  record.provisioning_state_time = record.creation_time;
  save(record);
  emit("experiment", path.arm_id(), "", "succeeded", "created");
  if (auto r = flush(); !r) return r.error();
  return &experiments_.emplace(key, std::move(record)).first->second;
}

// ---------------------------------------------------------------------------------------------------------------------
// Deletes share one shape: mark `deleting`, answer with an operation, remove the resource and
// everything under it when the deletion delay is over.

core::Result<const OperationRecord*> Engine::delete_workspace(const ResourcePath& path) {
  auto found = find_workspace(path);
  if (!found) return found.error();
  if (auto limit = check_operation_limit(); !limit) return limit.error();
  auto* record = find_key(workspaces_, (*found)->path.key());
  if (record->provisioning_state != ProvisioningState::kDeleting) {
    mark_deleting(*record, executor_.now());
    save(*record);
    emit("workspace", record->path.arm_id(), "succeeded", "deleting", "delete requested");
  }
  const OperationRecord* op = start_operation(OperationKind::kDelete, record->path);
  // Its clusters stop at once: jobs end and nodes leave while the deletion runs.
  for (const auto& key : [&] {
         std::vector<std::string> keys;
         const std::string prefix = children_prefix(record->path, ResourceType::kCluster);
         for (auto it = clusters_.lower_bound(prefix); it != clusters_.end() && it->first.starts_with(prefix); ++it) {
           keys.push_back(it->first);
         }
         return keys;
       }()) {
    erase_cluster(key);
  }
  if (auto r = flush(); !r) return r.error();
  executor_.schedule_after(settings_.workspace_deletion_delay,
                           [this, p = op->target, id = op->id] { complete_deletion(p, id); });
  return op;
}

core::Result<const OperationRecord*> Engine::delete_experiment(const ResourcePath& path) {
  auto found = find_experiment(path);
  if (!found) return found.error();
  if (auto limit = check_operation_limit(); !limit) return limit.error();
  auto* record = find_key(experiments_, (*found)->path.key());
  if (record->provisioning_state != ProvisioningState::kDeleting) {
    mark_deleting(*record, executor_.now());
    save(*record);
    emit("experiment", record->path.arm_id(), "succeeded", "deleting", "delete requested");
  }
  const OperationRecord* op = start_operation(OperationKind::kDelete, record->path);
  if (auto r = flush(); !r) return r.error();
  executor_.post([this, p = op->target, id = op->id] { complete_deletion(p, id); });
  return op;
}

core::Result<const OperationRecord*> Engine::delete_cluster(const ResourcePath& path) {
  auto found = get_cluster(path);
  if (!found) return found.error();
  if (auto limit = check_operation_limit(); !limit) return limit.error();
  auto* record = find_key(clusters_, (*found)->path.key());
  const OperationRecord* op = start_operation(OperationKind::kDelete, record->path);
  if (record->provisioning_state != ProvisioningState::kDeleting) {
    const std::string from(model::to_string(record->provisioning_state));
    mark_deleting(*record, executor_.now());
    emit("cluster", record->path.arm_id(), from, "deleting", "delete requested");
    ClusterRuntime& rt = cluster_runtime_[record->path.key()];
    stop_cluster_work(record->path.key(), rt);
    const std::int32_t nodes = live_node_count(rt) + rt.pending_allocation;
    rt.pending_allocation = 0;
    remove_nodes(*record, rt, nodes, model::DeallocationOption::kTerminate, false);
    save(*record);
  }
  if (auto r = flush(); !r) return r.error();
  const core::Duration delay = std::max(settings_.cluster_deletion_delay, settings_.node_deallocation_delay);
  executor_.schedule_after(delay, [this, p = op->target, id = op->id] { complete_deletion(p, id); });
  return op;
}

core::Result<const OperationRecord*> Engine::delete_file_server(const ResourcePath& path) {
  auto found = get_file_server(path);
  if (!found) return found.error();
  if (auto limit = check_operation_limit(); !limit) return limit.error();
  auto* record = find_key(file_servers_, (*found)->path.key());
  if (record->provisioning_state != ProvisioningState::kDeleting) {
    const std::string from(model::to_string(record->provisioning_state));
    mark_deleting(*record, executor_.now());
    save(*record);
    emit("fileserver", record->path.arm_id(), from, "deleting", "delete requested");
  }
  const OperationRecord* op = start_operation(OperationKind::kDelete, record->path);
  if (auto r = flush(); !r) return r.error();
  executor_.schedule_after(settings_.file_server_deletion_delay,
                           [this, p = op->target, id = op->id] { complete_deletion(p, id); });
  return op;
}

core::Result<const OperationRecord*> Engine::delete_job(const ResourcePath& path) {
  auto found = get_job(path);
  if (!found) return found.error();
  if (auto limit = check_operation_limit(); !limit) return limit.error();
  auto* job = find_key(jobs_, (*found)->path.key());
  if (job->provisioning_state != ProvisioningState::kDeleting) {
    // A running job is stopped first; a queued one leaves the queue.
    if (job->execution_state == model::ExecutionState::kRunning ||
        job->execution_state == model::ExecutionState::kTerminating) {
      backend_.stop_job(job->path.key());
      release_nodes(*job);
    } else if (job->execution_state == model::ExecutionState::kQueued) {
      dequeue(*job);
    }
    cancel_job_timers(job_runtime_[job->path.key()]);
    mark_deleting(*job, executor_.now());
    save(*job);
    emit("job", job->path.arm_id(), model::to_string(job->execution_state), "deleting", "delete requested");
  }
  const OperationRecord* op = start_operation(OperationKind::kDelete, job->path);
  if (auto r = flush(); !r) return r.error();
  executor_.schedule_after(settings_.job_deletion_delay,
                           [this, p = op->target, id = op->id] { complete_deletion(p, id); });
  return op;
}

void Engine::erase_job(const std::string& key) {
  auto* job = find_key(jobs_, key);
  if (job == nullptr) return;
  if (job->execution_state == model::ExecutionState::kRunning ||
      job->execution_state == model::ExecutionState::kTerminating) {
    backend_.stop_job(key);
    release_nodes(*job);
  } else if (job->execution_state == model::ExecutionState::kQueued) {
    dequeue(*job);
  }
  if (auto rt = job_runtime_.find(key); rt != job_runtime_.end()) {
    cancel_job_timers(rt->second);
    job_runtime_.erase(rt);
  }
  emit("job", job->path.arm_id(), model::to_string(job->execution_state), "", "deleted");
  if (persist_) batch_.erase(kJobs, key);
  if (auto count = jobs_per_experiment_.find(job->path.experiment_of().key());
      count != jobs_per_experiment_.end() && --count->second <= 0) {
    jobs_per_experiment_.erase(count);
  }
  jobs_.erase(key);
}

void Engine::stop_cluster_work(const std::string& key, ClusterRuntime& rt) {
  rt.deleting = true;
  if (rt.autoscale_timer != core::kNoTimer) executor_.cancel(rt.autoscale_timer);
  rt.autoscale_timer = core::kNoTimer;
  // Its jobs end: a job cannot outlive the nodes it would run on.
  std::vector<std::string> jobs_on_cluster;
  for (const auto& [job_key, job] : jobs_) {
    if (to_lower(job.spec.cluster.id) == key && (job.execution_state == model::ExecutionState::kQueued ||
                                                  job.execution_state == model::ExecutionState::kRunning)) {
      jobs_on_cluster.push_back(job_key);
    }
  }
  for (const auto& job_key : jobs_on_cluster) {
    stop_and_fail(jobs_[job_key], {"ClusterDeleted", "The job's cluster was deleted", {}});
  }
}

void Engine::erase_cluster(const std::string& key) {
  auto* cluster = find_key(clusters_, key);
  if (cluster == nullptr) return;
  ClusterRuntime& rt = cluster_runtime_[key];
  stop_cluster_work(key, rt);
  for (const auto& node_id : std::vector<std::string>(rt.nodes.begin(), rt.nodes.end())) {
    if (auto* node = find_key(nodes_, node_id)) backend_.stop_node(*node);
    remove_node(node_id);
  }
  emit("cluster", cluster->path.arm_id(), model::to_string(cluster->provisioning_state), "", "deleted");
  if (persist_) batch_.erase(kClusters, key);
  cluster_runtime_.erase(key);
  clusters_.erase(key);
}

void Engine::erase_tree(const ResourcePath& path) {
  const std::string key = path.key();
  auto keys_under = [&](const auto& map, const std::string& prefix) {
    std::vector<std::string> keys;
    for (auto it = map.lower_bound(prefix); it != map.end() && it->first.starts_with(prefix); ++it) {
      keys.push_back(it->first);
    }
    return keys;
  };
  switch (path.type) {
    case ResourceType::kWorkspace:
      for (const auto& k : keys_under(jobs_, key + "/")) erase_job(k);
      for (const auto& k : keys_under(clusters_, key + "/")) erase_cluster(k);
      for (const auto& k : keys_under(experiments_, key + "/")) {
        emit("experiment", experiments_[k].path.arm_id(), "", "", "deleted with its workspace");
        if (persist_) batch_.erase(kExperiments, k);
        experiments_.erase(k);
      }
      for (const auto& k : keys_under(file_servers_, key + "/")) {
        emit("fileserver", file_servers_[k].path.arm_id(), "", "", "deleted with its workspace");
        if (persist_) batch_.erase(kFileServers, k);
        file_servers_.erase(k);
        backend_.file_server_deleted(k);
      }
      if (auto* ws = find_key(workspaces_, key)) emit("workspace", ws->path.arm_id(), "deleting", "", "deleted");
      if (persist_) batch_.erase(kWorkspaces, key);
      workspaces_.erase(key);
      break;
    case ResourceType::kExperiment:
      for (const auto& k : keys_under(jobs_, key + "/")) erase_job(k);
      if (auto* exp = find_key(experiments_, key)) emit("experiment", exp->path.arm_id(), "deleting", "", "deleted");
      if (persist_) batch_.erase(kExperiments, key);
      experiments_.erase(key);
      break;
    case ResourceType::kJob: erase_job(key); break;
    case ResourceType::kCluster: erase_cluster(key); break;
    case ResourceType::kFileServer:
      if (auto* fs = find_key(file_servers_, key)) emit("fileserver", fs->path.arm_id(), "deleting", "", "deleted");
      if (persist_) batch_.erase(kFileServers, key);
      file_servers_.erase(key);
      backend_.file_server_deleted(key);
      break;
  }
}

void Engine::complete_deletion(ResourcePath path, const std::string& operation_id) {
  erase_tree(path);
  finish_operation(operation_id, OperationStatus::kSucceeded);
  commit_pending();
}

// ---------------------------------------------------------------------------------------------------------------------
// Clusters

core::Result<const OperationRecord*> Engine::create_cluster(const ResourcePath& path,
                                                            model::ClusterBaseProperties spec) {
  auto ws = find_workspace(path);
  if (!ws) return ws.error();
  if ((*ws)->provisioning_state == ProvisioningState::kDeleting) return resource_being_deleted(path.workspace_of());
  auto size = vm_size_of(spec.vm_size);
  if (!size) return size.error();
  if (spec.vm_priority == model::VmPriority::kLowPriority && !(*size)->low_priority_capable) {
    return Error::bad_request("InvalidPropertyValue",
                              fmt::format("The VM size {} cannot be low priority", spec.vm_size),
                              "properties.vmPriority");
  }
  if (auto r = check_scale_settings(spec.scale_settings); !r) return r.error();
  if (!spec.virtual_machine_configuration) {
    // The image the live service filled in when the client named none.
    spec.virtual_machine_configuration =
        model::VirtualMachineConfiguration{model::ImageReference{"Canonical", "UbuntuServer", "16.04-LTS", "latest", {}}};
  }
  const std::string key = path.key();
  if (auto* existing = find_key(clusters_, key)) {
    if (existing->provisioning_state == ProvisioningState::kDeleting) return resource_being_deleted(path);
    if (existing->spec == spec) return repeated_put(existing->path);
    return Error::conflict("ResourceAlreadyExists",
                           fmt::format("The cluster {} already exists with other properties; clusters cannot be "
                                       "changed by PUT, only their scale settings by PATCH. Delete it first to "
                                       "re-create it.",
                                       existing->path.name));
  }
  std::int64_t clusters_here = 0;
  const std::string region = location_of(path);
  const std::string prefix = workspaces_prefix(path.subscription);
  for (auto it = clusters_.lower_bound(prefix); it != clusters_.end() && it->first.starts_with(prefix); ++it) {
    if (location_of(it->second.path) == region) ++clusters_here;
  }
  if (clusters_here >= settings_.cluster_quota) {
    return Error::conflict("ClusterQuotaReached",
                           fmt::format("The subscription has {} clusters in {}, its quota; delete one or raise "
                                       "quota.clusters in the emulator's settings",
                                       clusters_here, region));
  }
  if (auto limit = check_operation_limit(); !limit) return limit.error();
  ClusterRecord record;
  record.path = path;
  record.spec = std::move(spec);
  record.creation_time = executor_.now();
  record.provisioning_state = ProvisioningState::kCreating;
  record.provisioning_state_time = record.creation_time;
  record.allocation_state = model::AllocationState::kSteady;
  record.allocation_state_time = record.creation_time;
  record.setup_task_output_id = next_uuid();
  record.network_index = clusters_created_++;
  emit("cluster", path.arm_id(), "", "creating", "created", {{"vmSize", record.spec.vm_size}});
  save(record);
  clusters_.emplace(key, std::move(record));
  cluster_runtime_[key].size = *size;
  const OperationRecord* op = start_operation(OperationKind::kCreate, path);
  if (auto r = flush(); !r) return r.error();
  executor_.schedule_after(settings_.cluster_provisioning_delay,
                           [this, key, id = op->id] { complete_cluster_provisioning(key, id); });
  return op;
}

core::Result<const ClusterRecord*> Engine::update_cluster(const ResourcePath& path,
                                                          const model::ClusterUpdateProperties& update) {
  auto found = get_cluster(path);
  if (!found) return found.error();
  if ((*found)->provisioning_state == ProvisioningState::kDeleting) return resource_being_deleted(path);
  if (update.scale_settings) {
    if (auto r = check_scale_settings(*update.scale_settings); !r) return r.error();
  }
  auto* record = find_key(clusters_, (*found)->path.key());
  if (update.scale_settings) {
    record->spec.scale_settings = *update.scale_settings;
    emit("cluster", record->path.arm_id(), "", "", "scale settings changed",
         {{"scaleSettings", update.scale_settings->manual ? "manual" : "autoScale"}});
  }
  save(*record);
  if (record->provisioning_state == ProvisioningState::kSucceeded) apply_scale(record->path.key());
  if (auto r = flush(); !r) return r.error();
  return record;
}

core::Result<std::vector<RemoteLogin>> Engine::cluster_remote_logins(const ResourcePath& path) const {
  auto found = get_cluster(path);
  if (!found) return found.error();
  std::vector<RemoteLogin> logins;
  for (const NodeRecord* node : nodes_of((*found)->path.key())) {
    if (node->state == NodeState::kLeaving) continue;
    logins.push_back({node->id, node->ip_address, static_cast<int>(50000 + node->index)});
  }
  return logins;
}

std::vector<const NodeRecord*> Engine::nodes_of(const std::string& cluster_key) const {
  std::vector<const NodeRecord*> out;
  auto rt = cluster_runtime_.find(cluster_key);
  if (rt == cluster_runtime_.end()) return out;
  for (const auto& id : rt->second.nodes) {
    if (auto it = nodes_.find(id); it != nodes_.end()) out.push_back(&it->second);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// File servers

core::Result<const OperationRecord*> Engine::create_file_server(const ResourcePath& path,
                                                                model::FileServerBaseProperties spec) {
  auto ws = find_workspace(path);
  if (!ws) return ws.error();
  if ((*ws)->provisioning_state == ProvisioningState::kDeleting) return resource_being_deleted(path.workspace_of());
  if (auto size = vm_size_of(spec.vm_size); !size) return size.error();
  const std::string key = path.key();
  if (auto* existing = find_key(file_servers_, key)) {
    if (existing->provisioning_state == ProvisioningState::kDeleting) return resource_being_deleted(path);
    model::FileServerBaseProperties same = spec;
    if (!same.subnet) same.subnet = existing->spec.subnet;  // the one the emulator made for it
    if (existing->spec == same) return repeated_put(existing->path);
    return Error::conflict("ResourceAlreadyExists",
                           fmt::format("The file server {} already exists with other properties; delete it first "
                                       "to re-create it.",
                                       existing->path.name));
  }
  if (auto limit = check_operation_limit(); !limit) return limit.error();
  FileServerRecord record;
  record.path = path;
  record.spec = std::move(spec);
  record.creation_time = executor_.now();
  record.provisioning_state = ProvisioningState::kCreating;
  record.provisioning_state_time = record.creation_time;
  if (!record.spec.subnet) {
    // Without a subnet the live service made a virtual network of its own for the file server.
    const std::string vnet = next_uuid();
    record.spec.subnet = model::ResourceId{fmt::format(
        "/subscriptions/{}/resourceGroups/fileserverrg-{}/providers/Microsoft.Network/virtualNetworks/{}vnet/"
        "subnets/Subnet-1",
        path.subscription, vnet, vnet)};
  }
  save(record);
  emit("fileserver", path.arm_id(), "", "creating", "created");
  file_servers_.emplace(key, std::move(record));
  const OperationRecord* op = start_operation(OperationKind::kCreate, path);
  if (auto r = flush(); !r) return r.error();
  executor_.schedule_after(settings_.file_server_provisioning_delay,
                           [this, key, id = op->id] { complete_file_server_provisioning(key, id); });
  return op;
}

void Engine::complete_file_server_provisioning(const std::string& key, const std::string& operation_id) {
  if (auto* server = find_key(file_servers_, key);
      server != nullptr && server->provisioning_state == ProvisioningState::kCreating) {
    server->provisioning_state = ProvisioningState::kSucceeded;
    server->provisioning_state_time = executor_.now();
    server->mount_settings.mount_point = "/mnt/data";
    server->mount_settings.file_server_internal_ip = "10.0.0.4";
    server->mount_settings.file_server_public_ip = "127.0.0.1";
    save(*server);
    emit("fileserver", server->path.arm_id(), "creating", "succeeded", "provisioned");
  }
  finish_operation(operation_id, OperationStatus::kSucceeded);
  commit_pending();
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
          finish_operation(id, OperationStatus::kSucceeded);
          commit_pending();
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
  std::int64_t clusters = 0;
  const std::string prefix = workspaces_prefix(subscription);
  for (auto it = clusters_.lower_bound(prefix); it != clusters_.end() && it->first.starts_with(prefix); ++it) {
    if (to_lower(location_of(it->second.path)) == to_lower(location)) ++clusters;
  }
  const std::vector<std::string> families = catalog_.families();
  std::vector<UsageFigure> out;
  out.push_back({"Clusters", "Clusters", clusters, settings_.cluster_quota});
  out.push_back({"Total Cluster Dedicated Regional vCPUs", "Total Cluster Dedicated Regional vCPUs",
                 vcpus_in_use(subscription, location, {}, false), settings_.total_dedicated_vcpu_quota});
  for (const auto& family : families) {
    const std::string display = VmSizeCatalog::family_display_name(family);
    std::int64_t limit = settings_.dedicated_vcpu_quota_per_family;
    if (auto o = settings_.dedicated_quota_overrides.find(display); o != settings_.dedicated_quota_overrides.end()) {
      limit = o->second;
    }
    const std::string name = display + " Cluster Dedicated vCPUs";
    out.push_back({name, name, vcpus_in_use(subscription, location, family, false), limit});
  }
  out.push_back({"Total Cluster LowPriority Regional vCPUs", "Total Cluster Low Priority Regional vCPUs",
                 vcpus_in_use(subscription, location, {}, true), settings_.total_low_priority_vcpu_quota});
  for (const auto& family : families) {
    const std::string display = VmSizeCatalog::family_display_name(family);
    out.push_back({display + " Cluster LowPriority vCPUs", display + " Cluster Low Priority vCPUs",
                   vcpus_in_use(subscription, location, family, true), settings_.low_priority_vcpu_quota_per_family});
  }
  return out;
}

std::int64_t Engine::vcpus_in_use(const std::string& subscription, const std::string& location,
                                  const std::string& family, bool low_priority) const {
  std::int64_t total = 0;
  const std::string prefix = workspaces_prefix(subscription);
  for (auto it = clusters_.lower_bound(prefix); it != clusters_.end() && it->first.starts_with(prefix); ++it) {
    const ClusterRecord& cluster = it->second;
    if ((cluster.spec.vm_priority == model::VmPriority::kLowPriority) != low_priority) continue;
    if (to_lower(location_of(cluster.path)) != to_lower(location)) continue;
    const VmSize* size = catalog_.find(cluster.spec.vm_size);
    if (size == nullptr || (!family.empty() && size->family != family)) continue;
    auto rt = cluster_runtime_.find(it->first);
    const std::int64_t nodes = static_cast<std::int64_t>(rt == cluster_runtime_.end() ? 0 : rt->second.nodes.size()) +
                               (rt == cluster_runtime_.end() ? 0 : rt->second.pending_allocation);
    total += nodes * size->vcpus;
  }
  return total;
}

}  // namespace emu::engine
