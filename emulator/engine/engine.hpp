#pragma once
// Engine: the emulated Batch AI service. It owns the live state of every resource and node, applies
// the ARM operations to it, allocates and releases nodes (manual resize, autoscale, preemption),
// gang-schedules jobs onto them and drives long-running operations, all on the injected Executor.
// A NodeBackend does what happens on the nodes; every change is journaled and, unless the store is
// ephemeral, written through the DocumentStore. Single-threaded: call it only on the executor.
//   Engine engine(executor, store, backend, journal, catalog, settings, seed);
//   engine.load();                                   // state from an earlier run, if any
//   auto op = engine.create_cluster(path, spec);     // 202: clients poll op->id
//   engine.get_cluster(path);

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "emulator/core/executor.hpp"
#include "emulator/core/journal.hpp"
#include "emulator/core/result.hpp"
#include "emulator/core/rng.hpp"
#include "emulator/engine/document_store.hpp"
#include "emulator/engine/engine_settings.hpp"
#include "emulator/engine/node_backend.hpp"
#include "emulator/engine/node_record.hpp"
#include "emulator/engine/resource_records.hpp"
#include "emulator/engine/vm_size_catalog.hpp"
#include "emulator/model/workspace_types.hpp"

namespace emu::engine {

// One page of a list: the items, and where the next page starts (absent on the last page).
template <typename Record>
struct Page {
  std::vector<const Record*> items;
  std::optional<std::string> continue_after;  // opaque: pass back as `after`
};

struct RemoteLogin {
  std::string node_id;
  std::string ip_address;
  int port = 0;
};

struct UsageFigure {
  std::string name;            // e.g. "Standard NC Family Cluster Dedicated vCPUs"
  std::string localized_name;  // the live service wrote "Low Priority" here and "LowPriority" above
  std::int64_t current = 0;
  std::int64_t limit = 0;
};

// Which nodes a fault hits: one node by id, or `count` nodes picked with the engine's seeded RNG
// (optionally only in one cluster, given by its ARM id).
struct NodeSelector {
  std::optional<std::string> node_id;
  std::int32_t count = 1;
  std::optional<std::string> cluster_id;

  static NodeSelector node(std::string id) { return {std::move(id), 1, std::nullopt}; }
  static NodeSelector any(std::int32_t n) { return {std::nullopt, n, std::nullopt}; }
};

class Engine final : public NodeEvents {
 public:
  Engine(core::Executor& executor, DocumentStore& store, NodeBackend& backend, core::Journal& journal,
         const VmSizeCatalog& catalog, EngineSettings settings, std::uint64_t seed);
  ~Engine() override;

  // Rebuilds the state from the store and resumes what was in flight: operations finish, nodes
  // re-join, jobs that were running are requeued (their processes did not survive the restart).
  core::Result<void> load();

  // --- workspaces (PUT and PATCH are synchronous, as the live service answered them)
  core::Result<const WorkspaceRecord*> put_workspace(const ResourcePath& path,
                                                     const model::WorkspaceCreateParameters& params);
  core::Result<const WorkspaceRecord*> update_workspace(const ResourcePath& path,
                                                        const model::WorkspaceUpdateParameters& params);
  core::Result<const WorkspaceRecord*> get_workspace(const ResourcePath& path) const;
  // All workspaces of a subscription, or of one resource group when `resource_group` is set.
  Page<WorkspaceRecord> list_workspaces(const std::string& subscription,
                                        const std::optional<std::string>& resource_group, const std::string& after,
                                        std::size_t limit) const;
  core::Result<const OperationRecord*> delete_workspace(const ResourcePath& path);

  // --- experiments
  core::Result<const ExperimentRecord*> put_experiment(const ResourcePath& path);
  core::Result<const ExperimentRecord*> get_experiment(const ResourcePath& path) const;
  core::Result<Page<ExperimentRecord>> list_experiments(const ResourcePath& workspace, const std::string& after,
                                                        std::size_t limit) const;
  core::Result<const OperationRecord*> delete_experiment(const ResourcePath& path);

  // --- clusters
  core::Result<const OperationRecord*> create_cluster(const ResourcePath& path, model::ClusterBaseProperties spec);
  core::Result<const ClusterRecord*> update_cluster(const ResourcePath& path,
                                                    const model::ClusterUpdateProperties& update);
  core::Result<const ClusterRecord*> get_cluster(const ResourcePath& path) const;
  core::Result<Page<ClusterRecord>> list_clusters(const ResourcePath& workspace, const std::string& after,
                                                  std::size_t limit) const;
  core::Result<const OperationRecord*> delete_cluster(const ResourcePath& path);
  core::Result<std::vector<RemoteLogin>> cluster_remote_logins(const ResourcePath& path) const;
  // The cluster's nodes in id order (for the admin API, the dashboard and tests).
  std::vector<const NodeRecord*> nodes_of(const std::string& cluster_key) const;

  // --- file servers
  core::Result<const OperationRecord*> create_file_server(const ResourcePath& path,
                                                          model::FileServerBaseProperties spec);
  core::Result<const FileServerRecord*> get_file_server(const ResourcePath& path) const;
  core::Result<Page<FileServerRecord>> list_file_servers(const ResourcePath& workspace, const std::string& after,
                                                         std::size_t limit) const;
  core::Result<const OperationRecord*> delete_file_server(const ResourcePath& path);

  // --- jobs
  core::Result<const OperationRecord*> create_job(const ResourcePath& path, model::JobBaseProperties spec);
  core::Result<const JobRecord*> get_job(const ResourcePath& path) const;
  core::Result<Page<JobRecord>> list_jobs(const ResourcePath& experiment, const std::string& after,
                                          std::size_t limit) const;
  core::Result<const OperationRecord*> delete_job(const ResourcePath& path);
  // nullptr (and no error) when the job had already finished: the live service answered 200.
  core::Result<const OperationRecord*> terminate_job(const ResourcePath& path);
  core::Result<std::vector<RemoteLogin>> job_remote_logins(const ResourcePath& path) const;
  const JobRecord* find_job(const std::string& key) const;
  // Where the job's "stdouterr" or output directory `directory_id` is on this host, if the backend
  // keeps files (the sim backend keeps none).
  std::optional<std::filesystem::path> job_output_directory(const JobRecord& job, std::string_view directory_id) const {
    return backend_.job_output_directory(job, directory_id);
  }
  const ClusterRecord* find_cluster(const std::string& key) const;

  // --- faults (admin API and scenarios); each returns the ids of the nodes it hit
  core::Result<std::vector<std::string>> fail_nodes(const NodeSelector& selector);
  core::Result<std::vector<std::string>> preempt_nodes(const NodeSelector& selector);

  // A fault that happened outside the engine (a file server outage): journaled, so replays and the
  // dashboard see it.
  void record_fault(std::string_view kind, const std::string& subject, core::JournalRecord::Details details);

  // --- operations and usages
  core::Result<const OperationRecord*> get_operation(const std::string& operation_id) const;
  std::vector<UsageFigure> usages(const std::string& subscription, const std::string& location) const;

  // --- for the harness, the dashboard and benchmarks
  std::size_t queued_job_count() const;
  std::size_t job_count() const { return jobs_.size(); }
  // Long-running operations not finished yet (what limits.maxOperationsInFlight bounds).
  std::size_t operations_in_flight() const { return operations_in_flight_; }
  const std::map<std::string, JobRecord, std::less<>>& jobs() const { return jobs_; }
  const std::map<std::string, ClusterRecord, std::less<>>& clusters() const { return clusters_; }

  // Changes whenever state may have changed (every flush() and journal record): the API's cache of
  // rendered GET responses is valid while it stays the same.
  std::uint64_t state_revision() const { return state_revision_; }

  const EngineSettings& settings() const { return settings_; }
  core::Executor& executor() { return executor_; }
  core::Journal& journal() { return journal_; }
  // Journal records after `after`, oldest first, at most `limit`: from memory, or from the store for
  // records older than the journal keeps in memory (its retention limit). An error only when the
  // store cannot be read.
  core::Result<std::vector<core::JournalRecord>> events_since(std::uint64_t after, std::size_t limit);
  // The oldest record events_since() can still give: 1 with a durable store (it keeps every record),
  // else the oldest kept in memory.
  std::uint64_t oldest_event_sequence() const;
  const VmSizeCatalog& catalog() const { return catalog_; }

  // NodeEvents (called by the backend on the executor)
  void node_ready(const std::string& node_id) override;
  void node_setup_failed(const std::string& node_id, model::BatchAIError error) override;
  void job_finished(const std::string& job_key, JobOutcome outcome) override;
  void node_lost(const std::string& node_id, std::string reason) override;

 private:
  template <typename Record>
  using RecordMap = std::map<std::string, Record, std::less<>>;

  // The engine's working state for a cluster beyond what clients see.
  struct ClusterRuntime {
    const VmSize* size = nullptr;
    std::set<std::string> nodes;       // every node id of the cluster
    std::set<std::string> idle_nodes;  // idle and free to take a job
    // Queued jobs in scheduling order: higher priority first, then first come, first served.
    std::set<std::tuple<int, std::uint64_t, std::string>> queue;
    std::int64_t queued_node_demand = 0;  // sum of nodeCount over the queue
    std::int32_t pending_allocation = 0;  // nodes asked for that have not appeared yet
    std::uint32_t allocations = 0;        // node index counter
    core::TimerId autoscale_timer = core::kNoTimer;
    bool deleting = false;
  };
  struct JobRuntime {
    std::vector<std::string> nodes;
    std::uint64_t queue_sequence = 0;
    core::TimerId wall_clock_timer = core::kNoTimer;
    core::TimerId low_priority_limit_timer = core::kNoTimer;
  };

  // Lookups
  core::Result<const WorkspaceRecord*> find_workspace(const ResourcePath& path) const;
  core::Result<const ExperimentRecord*> find_experiment(const ResourcePath& path) const;
  core::Result<const VmSize*> vm_size_of(const std::string& vm_size) const;
  core::Result<void> check_scale_settings(const model::ScaleSettings& scale) const;

  // Persistence and the journal. Changes collect in batch_ and are written by flush(); an API call
  // flushes before it answers, a timer callback when it is done.
  void save(const WorkspaceRecord& r);
  void save(const ExperimentRecord& r);
  void save(const ClusterRecord& r);
  void save(const FileServerRecord& r);
  void save(const JobRecord& r);
  void save(const NodeRecord& r);
  void save(const OperationRecord& r);
  void save_counters();
  core::Result<void> flush();
  void commit_pending();
  void emit(std::string_view kind, const std::string& subject, std::string_view from, std::string_view to,
            std::string_view reason, core::JournalRecord::Details details = {});
  // Stored journal records from sequence `from` on, at most `limit`.
  core::Result<std::vector<core::JournalRecord>> load_events(std::uint64_t from, std::size_t limit);

  // Limits (EngineSettings): checked before anything changes, so a refusal leaves no trace.
  core::Result<void> check_operation_limit() const;
  core::Result<void> check_job_limit(const ResourcePath& job) const;

  // Operations
  std::string next_uuid();
  const OperationRecord* start_operation(OperationKind kind, const ResourcePath& target);
  const OperationRecord* repeated_put(const ResourcePath& path);
  void finish_operation(const std::string& operation_id, OperationStatus status);
  std::string location_of(const ResourcePath& path) const;

  // Deletion
  void complete_deletion(ResourcePath path, const std::string& operation_id);
  void erase_tree(const ResourcePath& path);
  void erase_cluster(const std::string& key);
  // A cluster going away: no more autoscaling, and its queued and running jobs fail (ClusterDeleted).
  void stop_cluster_work(const std::string& key, ClusterRuntime& rt);
  void erase_job(const std::string& key);
  void resume_operation(const OperationRecord& op);

  // Clusters and nodes (engine_nodes.cpp)
  void complete_cluster_provisioning(const std::string& key, const std::string& operation_id);
  void complete_file_server_provisioning(const std::string& key, const std::string& operation_id);
  void apply_scale(const std::string& cluster_key);
  void request_nodes(ClusterRecord& cluster, ClusterRuntime& rt, std::int32_t count);
  void allocate_nodes(const std::string& cluster_key, std::int32_t count);
  void remove_nodes(ClusterRecord& cluster, ClusterRuntime& rt, std::int32_t count,
                    model::DeallocationOption option, bool idle_only);
  void start_node(ClusterRecord& cluster, ClusterRuntime& rt);
  void set_node_state(NodeRecord& node, NodeState state, std::string_view reason);
  void begin_leaving(NodeRecord& node, std::string_view reason);
  void remove_node(const std::string& node_id);
  void update_allocation_state(ClusterRecord& cluster, ClusterRuntime& rt);
  void schedule_autoscale(const std::string& cluster_key, core::Duration delay);
  void evaluate_autoscale(const std::string& cluster_key);
  std::int32_t live_node_count(const ClusterRuntime& rt) const;
  std::int64_t vcpus_in_use(const std::string& subscription, const std::string& location,
                            const std::string& family, bool low_priority) const;
  void arm_random_preemption(const NodeRecord& node);
  std::vector<std::string> select_nodes(const NodeSelector& selector, bool low_priority_only);
  core::Result<std::vector<std::string>> inject_node_fault(const NodeSelector& selector, bool preemption);
  void lose_node(const std::string& node_id, bool preempted, std::string_view reason);

  // Jobs (engine_jobs.cpp)
  void enqueue(JobRecord& job);
  void dequeue(const JobRecord& job);
  void schedule(const std::string& cluster_key);
  void start_job(JobRecord& job, ClusterRecord& cluster, ClusterRuntime& rt);
  void set_execution_state(JobRecord& job, model::ExecutionState state, std::string_view reason);
  void release_nodes(JobRecord& job, const std::string& except_node = {});
  void finish_job(JobRecord& job, std::optional<std::int32_t> exit_code, std::optional<model::BatchAIError> error);
  void stop_and_fail(JobRecord& job, model::BatchAIError error);
  void requeue(JobRecord& job, std::string_view reason, const std::string& lost_node = {});
  void complete_termination(const std::string& key, const std::string& operation_id);
  void cancel_job_timers(JobRuntime& rt);

  core::Executor& executor_;
  DocumentStore& store_;
  NodeBackend& backend_;
  core::Journal& journal_;
  const VmSizeCatalog& catalog_;
  EngineSettings settings_;
  std::uint64_t seed_;
  core::Rng fault_rng_;
  core::Rng preemption_rng_;
  bool persist_;
  std::uint64_t state_revision_ = 0;
  WriteBatch batch_;

  std::uint64_t ids_issued_ = 0;
  std::uint64_t jobs_submitted_ = 0;
  std::uint32_t clusters_created_ = 0;
  std::size_t operations_in_flight_ = 0;
  // Jobs of each experiment (by experiment key) until their delete operation is done.
  std::map<std::string, std::int64_t, std::less<>> jobs_per_experiment_;

  RecordMap<WorkspaceRecord> workspaces_;
  RecordMap<ExperimentRecord> experiments_;
  RecordMap<ClusterRecord> clusters_;
  RecordMap<FileServerRecord> file_servers_;
  RecordMap<JobRecord> jobs_;
  RecordMap<OperationRecord> operations_;
  RecordMap<NodeRecord> nodes_;
  std::map<std::string, ClusterRuntime, std::less<>> cluster_runtime_;
  std::map<std::string, JobRuntime, std::less<>> job_runtime_;
};

}  // namespace emu::engine
