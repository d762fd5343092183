#pragma once
// Engine: the emulated Batch AI service. It owns the live state of every resource, applies the ARM
// operations to it, drives long-running operations on the injected Executor and writes every change
// through the DocumentStore before it is acknowledged. Single-threaded: call it only from the
// executor's thread. Errors come back as core::Error; the router turns them into CloudErrors.
//   Engine engine(executor, store, catalog, settings, seed);
//   engine.load();                                   // state from an earlier run, if any
//   auto op = engine.create_cluster(path, spec);     // 202: clients poll op->id
//   engine.get_cluster(path);

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "emulator/core/executor.hpp"
#include "emulator/core/result.hpp"
#include "emulator/engine/document_store.hpp"
#include "emulator/engine/engine_settings.hpp"
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

class Engine {
 public:
  Engine(core::Executor& executor, DocumentStore& store, const VmSizeCatalog& catalog, EngineSettings settings,
         std::uint64_t seed);

  // Rebuilds the state from the store and resumes operations that were in flight.
  core::Result<void> load();

  // --- workspaces (PUT and PATCH are synchronous, as the live service answered them)
  core::Result<const WorkspaceRecord*> put_workspace(const ResourcePath& path,
                                                     const model::WorkspaceCreateParameters& params);
  core::Result<const WorkspaceRecord*> update_workspace(const ResourcePath& path,
                                                        const model::WorkspaceUpdateParameters& params);
  core::Result<const WorkspaceRecord*> get_workspace(const ResourcePath& path) const;
  // All workspaces of a subscription, or of one resource group when `resource_group` is set.
  Page<WorkspaceRecord> list_workspaces(const std::string& subscription, const std::optional<std::string>& resource_group,
                                        const std::string& after, std::size_t limit) const;
  core::Result<const OperationRecord*> delete_workspace(const ResourcePath& path);

  // --- experiments
  core::Result<const ExperimentRecord*> put_experiment(const ResourcePath& path);
  core::Result<const ExperimentRecord*> get_experiment(const ResourcePath& path) const;
  core::Result<Page<ExperimentRecord>> list_experiments(const ResourcePath& workspace, const std::string& after,
                                                        std::size_t limit) const;
  core::Result<const OperationRecord*> delete_experiment(const ResourcePath& path);

  // --- clusters
  // Returns the operation, or the existing cluster's finished operation when the same body is PUT again.
  core::Result<const OperationRecord*> create_cluster(const ResourcePath& path, model::ClusterBaseProperties spec);
  core::Result<const ClusterRecord*> update_cluster(const ResourcePath& path, const model::ClusterUpdateProperties& update);
  core::Result<const ClusterRecord*> get_cluster(const ResourcePath& path) const;
  core::Result<Page<ClusterRecord>> list_clusters(const ResourcePath& workspace, const std::string& after,
                                                  std::size_t limit) const;
  core::Result<const OperationRecord*> delete_cluster(const ResourcePath& path);
  core::Result<std::vector<RemoteLogin>> cluster_remote_logins(const ResourcePath& path) const;

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

  // --- operations and usages
  core::Result<const OperationRecord*> get_operation(const std::string& operation_id) const;
  std::vector<UsageFigure> usages(const std::string& subscription, const std::string& location) const;

  const EngineSettings& settings() const { return settings_; }
  core::Executor& executor() { return executor_; }
  const VmSizeCatalog& catalog() const { return catalog_; }

 private:
  template <typename Record>
  using RecordMap = std::map<std::string, Record, std::less<>>;

  core::Result<const WorkspaceRecord*> find_workspace(const ResourcePath& path) const;
  core::Result<const ExperimentRecord*> find_experiment(const ResourcePath& path) const;

  // Ids: deterministic from the seed and a persisted counter, so a restart never repeats one.
  std::string next_uuid(WriteBatch& batch);
  OperationRecord new_operation(OperationKind kind, const ResourcePath& target, WriteBatch& batch);
  std::string location_of(const ResourcePath& path) const;

  // Writes `batch`, turning a store failure into an error the client sees; nothing is applied to
  // the in-memory state unless it returns ok.
  core::Result<void> commit(const WriteBatch& batch);
  const OperationRecord* remember_operation(OperationRecord op);
  void finish_operation(const std::string& operation_id, OperationStatus status, WriteBatch& batch,
                        std::optional<model::BatchAIError> error = std::nullopt);
  void persist_or_log(const WriteBatch& batch, std::string_view what);

  // Lifecycle steps run on the executor.
  void complete_cluster_provisioning(const std::string& key, const std::string& operation_id);
  void complete_file_server_provisioning(const std::string& key, const std::string& operation_id);
  void complete_deletion(ResourcePath path, const std::string& operation_id);
  void complete_termination(const std::string& key, const std::string& operation_id);
  void resume_operation(const OperationRecord& op);

  // Removes `path` and everything under it from the maps, adding the erasures to `batch`.
  void erase_tree(const ResourcePath& path, WriteBatch& batch);
  std::vector<std::string> keys_with_prefix(const std::string& prefix, ResourceType type) const;

  core::Executor& executor_;
  DocumentStore& store_;
  const VmSizeCatalog& catalog_;
  EngineSettings settings_;
  std::uint64_t seed_;
  std::uint64_t ids_issued_ = 0;

  RecordMap<WorkspaceRecord> workspaces_;
  RecordMap<ExperimentRecord> experiments_;
  RecordMap<ClusterRecord> clusters_;
  RecordMap<FileServerRecord> file_servers_;
  RecordMap<JobRecord> jobs_;
  std::map<std::string, OperationRecord, std::less<>> operations_;
};

}  // namespace emu::engine
