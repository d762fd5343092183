// Engine benchmarks: the executor's event rate, a whole synthetic workload, gang placement at
// thousands of nodes, autoscale evaluation, and how cost grows with nodes and queue length.
// Run: build/bench/engine_bench  (bench/run.sh runs every suite and writes the tables).

#include "emulator/core/journal.hpp"
#include "emulator/core/simulated_executor.hpp"
#include "emulator/engine/engine.hpp"
#include "emulator/model/cluster_codec.hpp"
#include "emulator/model/job_codec.hpp"
#include "emulator/store/memory_document_store.hpp"
#include "fakes/nodes/sim_node_backend.hpp"

#include <benchmark/benchmark.h>
#include <boost/json.hpp>

#include <string>
#include <string_view>

namespace {

using namespace emu;

// "j" + std::to_string(i) written so that GCC 12 at -O3 sees no (false) -Wrestrict overlap.
std::string numbered(std::string_view prefix, std::int64_t n) {
  std::string name(prefix);
  name += std::to_string(n);
  return name;
}

// A whole engine on the simulated clock, with limits raised for benchmark scale.
struct Bench {
  explicit Bench(std::int32_t max_nodes = 10000) {
    settings.max_nodes_per_cluster = max_nodes;
    settings.dedicated_vcpu_quota_per_family = 1LL << 40;
    settings.total_dedicated_vcpu_quota = 1LL << 40;
    backend = std::make_unique<fakes::SimNodeBackend>(executor, settings);
    engine = std::make_unique<engine::Engine>(executor, store, *backend, journal, engine::VmSizeCatalog::builtin(),
                                              settings, 1);
    (void)engine->put_workspace(engine::ResourcePath::workspace_path("s", "rg", "ws"), {"eastus", {}});
    (void)engine->put_experiment(engine::ResourcePath::experiment_path("s", "rg", "ws", "e"));
  }

  void cluster(const std::string& name, const std::string& scale) {
    auto spec = model::parse_cluster_create(boost::json::parse(
        R"({"properties":{"vmSize":"STANDARD_NC24","userAccountSettings":{"adminUserName":"u"},"scaleSettings":)" +
        scale + "}}"));
    (void)engine->create_cluster(engine::ResourcePath::cluster("s", "rg", "ws", name), *spec);
    executor.run_until(executor.now());
  }

  model::JobBaseProperties job_spec(const std::string& cluster, int nodes, int seconds) {
    auto spec = model::parse_job_create(boost::json::parse(
        R"({"properties":{"cluster":{"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.BatchAI/workspaces/ws/clusters/)" +
        cluster + R"("},"nodeCount":)" + std::to_string(nodes) +
        R"(,"stdOutErrPathPrefix":"/o","environmentVariables":[{"name":"EMULATOR_SIM_DURATION","value":")" +
        std::to_string(seconds) + R"("}]}})"));
    return *spec;
  }

  void submit(const std::string& name, model::JobBaseProperties spec) {
    (void)engine->create_job(engine::ResourcePath::job("s", "rg", "ws", "e", name), std::move(spec));
  }

  engine::EngineSettings settings;
  core::SimulatedExecutor executor;
  store::MemoryDocumentStore store;
  core::Journal journal;
  std::unique_ptr<fakes::SimNodeBackend> backend;
  std::unique_ptr<engine::Engine> engine;
};

// The executor alone: schedule and run events, each scheduling the next, 10,000 in flight.
void BM_ExecutorEvents(benchmark::State& state) {
  for (auto _ : state) {
    core::SimulatedExecutor ex;
    std::uint64_t left = 1'000'000;
    std::function<void()> tick = [&] {
      if (left == 0) return;
      --left;
      ex.schedule_after(std::chrono::microseconds(1 + left % 1000), tick);
    };
    for (int i = 0; i < 10000; ++i) ex.post(tick);
    ex.run();
    state.counters["events"] = static_cast<double>(ex.tasks_run());
  }
  state.SetItemsProcessed(state.iterations() * 1'010'000);
}
BENCHMARK(BM_ExecutorEvents)->Unit(benchmark::kMillisecond);

// 100,000 one- to four-node jobs on 500 nodes (five clusters of 100), submitted over a day, run to
// the end: the engine's whole path (queue, placement, node states, journal) with nothing persisted.
void BM_Workload100kJobs500Nodes(benchmark::State& state) {
  const int jobs = static_cast<int>(state.range(0));
  for (auto _ : state) {
    Bench b(100);
    for (int c = 0; c < 5; ++c) b.cluster(numbered("c", c), R"({"manual":{"targetNodeCount":100}})");
    b.executor.run_until(b.executor.now() + std::chrono::seconds(10));
    std::vector<model::JobBaseProperties> specs;
    for (int c = 0; c < 5; ++c) {
      for (int n = 1; n <= 4; ++n) specs.push_back(b.job_spec(numbered("c", c), n, 300));
    }
    const std::uint64_t tasks_before = b.executor.tasks_run();
    for (int i = 0; i < jobs; ++i) {
      b.submit(numbered("j", i), specs[static_cast<std::size_t>(i % 20)]);
      if (i % 100 == 99) b.executor.run_until(b.executor.now() + std::chrono::seconds(80));
    }
    b.executor.run();
    state.counters["events"] = static_cast<double>(b.executor.tasks_run() - tasks_before);
    state.counters["journal"] = static_cast<double>(b.journal.last_sequence());
    state.counters["events/s"] = benchmark::Counter(static_cast<double>(b.executor.tasks_run() - tasks_before),
                                                    benchmark::Counter::kIsRate);
    state.counters["journal/s"] =
        benchmark::Counter(static_cast<double>(b.journal.last_sequence()), benchmark::Counter::kIsRate);
  }
  state.SetItemsProcessed(state.iterations() * jobs);
}
BENCHMARK(BM_Workload100kJobs500Nodes)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(1);

// Gang placement at N idle nodes in one cluster: submit N/4 jobs of 1..7 nodes and place them.
void BM_GangPlacement(benchmark::State& state) {
  const int nodes = static_cast<int>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    Bench b(nodes);
    b.cluster("big", R"({"manual":{"targetNodeCount":)" + std::to_string(nodes) + "}}");
    b.executor.run_until(b.executor.now() + std::chrono::seconds(10));
    std::vector<model::JobBaseProperties> specs;
    for (int n = 1; n <= 7; ++n) specs.push_back(b.job_spec("big", n, 3600));
    state.ResumeTiming();
    const int jobs = nodes / 4;
    for (int i = 0; i < jobs; ++i) b.submit(numbered("j", i), specs[static_cast<std::size_t>(i % 7)]);
    b.executor.run_until(b.executor.now());
    state.counters["running"] = static_cast<double>(b.engine->clusters().begin()->second.node_counts.running_node_count);
    state.counters["placements/s"] = benchmark::Counter(jobs, benchmark::Counter::kIsIterationInvariantRate);
  }
}
BENCHMARK(BM_GangPlacement)->Arg(500)->Arg(1000)->Arg(5000)->Unit(benchmark::kMillisecond);

// One scheduling pass with Q jobs queued behind a blocked head on a full 1,000-node cluster: with no
// backfill it stops at the head, so its cost must not grow with Q.
void BM_ScheduleWithQueueLength(benchmark::State& state) {
  const int queued = static_cast<int>(state.range(0));
  Bench b(1000);
  b.cluster("c", R"({"manual":{"targetNodeCount":1000}})");
  b.executor.run_until(b.executor.now() + std::chrono::seconds(10));
  b.submit("blocker", b.job_spec("c", 999, 1'000'000));
  b.executor.run_until(b.executor.now());
  auto big = b.job_spec("c", 2, 10);
  for (int i = 0; i < queued; ++i) b.submit(numbered("q", i), big);
  b.executor.run_until(b.executor.now());
  auto one = b.job_spec("c", 1, 1);
  int n = 0;
  for (auto _ : state) {
    // A one-node job arrives, waits behind the queue, and is deleted again: submit + schedule pass.
    b.submit(numbered("probe", n), one);
    b.executor.run_until(b.executor.now());
    (void)b.engine->delete_job(engine::ResourcePath::job("s", "rg", "ws", "e", numbered("probe", n++)));
    b.executor.run_until(b.executor.now());
  }
}
BENCHMARK(BM_ScheduleWithQueueLength)->Arg(100)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);

// Autoscale evaluation of a 1,000-node cluster with a queue: the whole evaluation event.
void BM_AutoscaleEvaluation(benchmark::State& state) {
  const int nodes = static_cast<int>(state.range(0));
  Bench b(nodes);
  b.settings.autoscale_interval = std::chrono::seconds(1);
  b.cluster("auto", R"({"autoScale":{"minimumNodeCount":)" + std::to_string(nodes) + R"(,"maximumNodeCount":)" +
                        std::to_string(nodes) + R"(,"initialNodeCount":)" + std::to_string(nodes) + "}}");
  b.executor.run_until(b.executor.now() + std::chrono::seconds(10));
  auto spec = b.job_spec("auto", 1, 1'000'000);
  for (int i = 0; i < nodes + 100; ++i) b.submit(numbered("j", i), spec);
  b.executor.run_until(b.executor.now() + std::chrono::seconds(1));
  for (auto _ : state) b.executor.run_until(b.executor.now() + std::chrono::seconds(1));  // one evaluation
}
BENCHMARK(BM_AutoscaleEvaluation)->Arg(100)->Arg(1000)->Arg(5000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
