// Router benchmarks: api::Router::handle as a pure function (no sockets) for the requests the REST
// goals are about: GET of a resource (answered from the router's cache when repeated, and rendered
// anew), a job create (PUT), and an LRO poll.
// Run: build/bench/router_bench  (bench/run.sh runs every suite and writes the tables).

#include "harness/simulated_control.hpp"
#include "emulator/api/router.hpp"
#include "emulator/core/journal.hpp"
#include "emulator/core/simulated_executor.hpp"
#include "emulator/engine/engine.hpp"
#include "emulator/engine/vm_size_catalog.hpp"
#include "emulator/store/memory_document_store.hpp"
#include "fakes/nodes/sim_node_backend.hpp"

#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace emu;

constexpr const char* kWorkspace =
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.BatchAI/workspaces/ws";
constexpr const char* kVersion = "?api-version=2018-05-01";

// "j" + std::to_string(i) written so that GCC 12 at -O3 sees no (false) -Wrestrict overlap.
std::string numbered(std::string_view prefix, std::int64_t n) {
  std::string name(prefix);
  name += std::to_string(n);
  return name;
}

// An engine with a workspace, an experiment, a one-node cluster and one job, behind a Router.
struct RouterBench {
  RouterBench() {
    call("PUT", std::string(kWorkspace) + kVersion, R"({"location":"eastus"})");
    call("PUT", std::string(kWorkspace) + "/experiments/e" + kVersion, "{}");
    const api::HttpResponse cluster =
        call("PUT", std::string(kWorkspace) + "/clusters/c" + kVersion,
             R"({"properties":{"vmSize":"STANDARD_NC6","userAccountSettings":{"adminUserName":"u",
                "adminUserPassword":"p"},"scaleSettings":{"manual":{"targetNodeCount":1}}}})");
    // The poll URL is absolute; the router sees its path and query.
    const std::string poll(cluster.header("Azure-AsyncOperation"));
    const std::size_t path = poll.find("/subscriptions/");
    if (path != std::string::npos) operation_target = poll.substr(path);
    call("PUT", job_target("j0"), job_body());
  }

  static std::string job_target(const std::string& name) {
    return std::string(kWorkspace) + "/experiments/e/jobs/" + name + kVersion;
  }
  static std::string job_body() {
    return std::string(R"({"properties":{"cluster":{"id":")") + kWorkspace +
           R"(/clusters/c"},"nodeCount":1,"stdOutErrPathPrefix":"$AZ_BATCHAI_MOUNT_ROOT/out",
             "customToolkitSettings":{"commandLine":"python train.py --epochs 10"}}})";
  }

  api::HttpResponse call(std::string method, std::string target, std::string body = {}) {
    request.method = std::move(method);
    request.target = std::move(target);
    request.body = std::move(body);
    api::HttpResponse response = router->handle(request);
    executor.run_until(executor.now());  // work posted for "now", as the server loop would run it
    return response;
  }

  engine::EngineSettings settings;
  core::SimulatedExecutor executor;
  store::MemoryDocumentStore store;
  core::Journal journal;
  fakes::SimNodeBackend backend{executor, settings};
  std::unique_ptr<engine::Engine> engine_ptr = std::make_unique<engine::Engine>(
      executor, store, backend, journal, engine::VmSizeCatalog::builtin(), settings, 1);
  harness::SimulatedControl control{executor};
  std::unique_ptr<api::Router> router = std::make_unique<api::Router>(*engine_ptr, control);
  api::HttpRequest request{.method = "GET",
                           .target = "/",
                           .headers = {{"Host", "127.0.0.1:7080"}, {"User-Agent", "bench"}},
                           .body = {},
                           .scheme = "http",
                           .remote = "127.0.0.1:40000"};
  std::string operation_target;
};

bool check(benchmark::State& state, const api::HttpResponse& response, int status) {
  if (response.status == status) return true;
  state.SkipWithError((numbered("unexpected status ", response.status) + ": " + response.body).c_str());
  return false;
}

void BM_RouterGetJob(benchmark::State& state) {
  RouterBench b;
  const std::string target = b.job_target("j0");
  for (auto _ : state) {
    if (!check(state, b.call("GET", target), 200)) return;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RouterGetJob);

void BM_RouterGetWorkspace(benchmark::State& state) {
  RouterBench b;
  const std::string target = std::string(kWorkspace) + kVersion;
  for (auto _ : state) {
    if (!check(state, b.call("GET", target), 200)) return;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RouterGetWorkspace);

// The same GETs rendered every time, as after each change of state: every request carries another
// Host, so the router's ResponseCache never has it (the job's body does not contain the host).
void get_uncached(benchmark::State& state, const std::string& target) {
  RouterBench b;
  std::vector<std::string> hosts;
  for (int i = 0; i < 4096; ++i) hosts.push_back(numbered("host-", i));
  std::size_t n = 0;
  for (auto _ : state) {
    b.request.headers[0].second = hosts[n++ % hosts.size()];
    if (!check(state, b.call("GET", target), 200)) return;
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_RouterGetJobUncached(benchmark::State& state) { get_uncached(state, RouterBench::job_target("j0")); }
BENCHMARK(BM_RouterGetJobUncached);
void BM_RouterGetWorkspaceUncached(benchmark::State& state) {
  get_uncached(state, std::string(kWorkspace) + kVersion);
}
BENCHMARK(BM_RouterGetWorkspaceUncached);

// A new job each time (202 Accepted), in memory: parse, validate, engine create, journal.
void BM_RouterPutJob(benchmark::State& state) {
  RouterBench b;
  const std::string body = RouterBench::job_body();
  std::int64_t n = 0;
  for (auto _ : state) {
    if (!check(state, b.call("PUT", b.job_target(numbered("p", n++)), body), 202)) return;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RouterPutJob);

// What each of the LRO pollers asks: the operation status of a cluster create.
void BM_RouterPollOperation(benchmark::State& state) {
  RouterBench b;
  if (b.operation_target.empty()) {
    state.SkipWithError("the cluster PUT gave no Azure-AsyncOperation header");
    return;
  }
  for (auto _ : state) {
    if (!check(state, b.call("GET", b.operation_target), 200)) return;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RouterPollOperation);

}  // namespace

BENCHMARK_MAIN();
