#pragma once
// Replay: one run of a Scenario through the real engine on the simulated clock, with sim nodes and an
// in-memory store. Every step goes through the ARM router as a client request; faults go through the
// engine; expectations are checked at their time and at the end. The engine stays alive afterwards
// so that tests can look at its state.
//   Replay replay(scenario, seed);  ReplayOutcome out = replay.run();
//   if (!out.ok()) for (auto& f : out.failures) std::cerr << f << "\n";  std::cout << out.digest;

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emulator/api/router.hpp"
#include "emulator/core/journal.hpp"
#include "emulator/core/simulated_executor.hpp"
#include "emulator/engine/engine.hpp"
#include "emulator/store/memory_document_store.hpp"
#include "fakes/nfs/sim_storage_model.hpp"
#include "fakes/nodes/sim_node_backend.hpp"
#include "harness/replay_control.hpp"
#include "harness/replay_stats.hpp"
#include "harness/scenario.hpp"

namespace emu::harness {

struct ReplayOutcome {
  std::string digest;                 // core::Journal::digest_hex() at the end
  std::vector<std::string> failures;  // one line per broken expectation or unexpected answer
  std::size_t expectations_checked = 0;
  std::uint64_t seed = 0;
  core::Duration sim_elapsed{};       // virtual time from the start to the end of the replay
  std::uint64_t events = 0;           // executor tasks run
  double wall_seconds = 0;
  ReplaySummary summary;

  bool ok() const { return failures.empty(); }
};

// Called now and then during run(): virtual time elapsed and, where known, the fraction done (0..1).
using ProgressFn = std::function<void(core::Duration elapsed, double fraction)>;

class Replay {
 public:
  // `seed` replaces the scenario's own when set.
  explicit Replay(Scenario scenario, std::optional<std::uint64_t> seed = std::nullopt);
  ~Replay();
  Replay(const Replay&) = delete;
  Replay& operator=(const Replay&) = delete;

  // Runs the whole scenario once. Call once per Replay.
  ReplayOutcome run(const ProgressFn& progress = {});

  // Keeps only the newest `records` journal records in memory (the digest still covers all): for
  // very long traces. 0 keeps everything (the default; journal expectations need it).
  void set_journal_retention(std::size_t records) { journal_->set_retention(records); }

  const Scenario& scenario() const { return scenario_; }
  engine::Engine& engine() { return *engine_; }
  core::Journal& journal() { return *journal_; }
  const core::Journal& journal() const { return *journal_; }
  core::SimulatedExecutor& executor() { return executor_; }
  api::RequestHandler& router() { return *router_; }
  const ReplayStats& stats() const { return *stats_; }

  // State lookups by name within the scenario's workspace (nullptr when absent).
  const engine::JobRecord* job(const std::string& name) const;
  const engine::ClusterRecord* cluster(const std::string& name) const;

 private:
  void run_step(const Step& step);
  void run_fault(const Step& step);
  void check(const Expectation& x);
  bool quiescent() const;
  api::HttpResponse send(const std::string& method, const std::string& target, const std::string& body,
                         const std::vector<std::pair<std::string, std::string>>& headers = {});

  Scenario scenario_;
  std::uint64_t seed_;
  core::SimulatedExecutor executor_;
  store::MemoryDocumentStore store_;
  std::unique_ptr<fakes::SimStorageModel> storage_;  // file server capacity, usage and outages
  std::unique_ptr<fakes::SimNodeBackend> backend_;
  std::unique_ptr<core::Journal> journal_;
  std::unique_ptr<ReplayStats> stats_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<ReplayControl> control_;
  std::unique_ptr<api::Router> router_;
  std::vector<std::string> failures_;
  std::size_t checked_ = 0;
  std::size_t steps_left_ = 0;
  std::size_t timed_checks_left_ = 0;
};

}  // namespace emu::harness
