#pragma once
// SimNodeBackend: nodes that exist only on the virtual clock. Nothing is executed: a node is ready
// after the setup time, and a job lasts what its EMULATOR_SIM_* environment variables say
// (PRODUCT.md): EMULATOR_SIM_DURATION (default 60 s), EMULATOR_SIM_EXIT_CODE (default 0),
// EMULATOR_SIM_PREP_DURATION (default 0) and EMULATOR_SIM_PREP_EXIT_CODE (default 0); a cluster's
// setup task may set EMULATOR_SIM_SETUP_DURATION and EMULATOR_SIM_SETUP_EXIT_CODE.
// With a storage model, file servers the job mounts have a capacity and outages:
// EMULATOR_SIM_WRITE_BYTES is what the job writes to the first of them as it finishes (ENOSPC fails
// the job; during an outage a hard mount waits, a soft one fails with an I/O error).
//   SimNodeBackend backend(executor, settings);  Engine engine(executor, store, backend, ...);

#include <string>
#include <unordered_map>

#include "emulator/core/executor.hpp"
#include "emulator/engine/engine_settings.hpp"
#include "emulator/engine/node_backend.hpp"
#include "fakes/nfs/storage_accounting.hpp"

namespace emu::fakes {

class SimNodeBackend final : public engine::NodeBackend {
 public:
  SimNodeBackend(core::Executor& executor, const engine::EngineSettings& settings)
      : executor_(executor), settings_(settings) {}

  std::string name() const override { return "sim"; }
  void set_events(engine::NodeEvents* events) override { events_ = events; }
  void start_node(const engine::NodeRecord& node, const engine::ClusterRecord& cluster,
                  const engine::VmSize& size) override;
  void stop_node(const engine::NodeRecord& node) override;
  void start_job(const engine::JobLaunch& launch) override;
  void stop_job(const std::string& job_key) override;
  void file_server_deleted(const std::string& file_server_key) override;

  // The capacity, usage and outages of simulated file servers (optional; without it nothing is written).
  void set_storage(StorageAccounting* storage) { storage_ = storage; }

 private:
  core::Executor& executor_;
  const engine::EngineSettings& settings_;
  engine::NodeEvents* events_ = nullptr;
  StorageAccounting* storage_ = nullptr;

  // The job's last act: its writes. Re-tried while a hard-mounted file server is down.
  void finish_job(const std::string& key, engine::JobOutcome outcome, std::string store, std::string server_name,
                  std::uint64_t bytes, bool soft);
  // One pending timer per node (setup) and per job (its end). Looked up, never iterated.
  std::unordered_map<std::string, core::TimerId> node_timers_;
  std::unordered_map<std::string, core::TimerId> job_timers_;
};

}  // namespace emu::fakes
