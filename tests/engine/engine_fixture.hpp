#pragma once
// A complete engine on the simulated executor with sim nodes and an in-memory store, plus helpers
// that build resources from JSON bodies as clients send them. Times in the tests are exact: the
// fast profile's delays are 2 s to allocate a node, 1 s to prepare it and 1 s to release it.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "emulator/core/journal.hpp"
#include "emulator/core/simulated_executor.hpp"
#include "emulator/engine/engine.hpp"
#include "emulator/model/cluster_codec.hpp"
#include "emulator/model/job_codec.hpp"
#include "emulator/store/memory_document_store.hpp"
#include "fakes/nodes/sim_node_backend.hpp"

namespace emu::engine::testing {

inline constexpr const char* kSub = "sub";
inline constexpr const char* kRg = "rg";
inline constexpr const char* kWs = "ws";

class EngineFixture : public ::testing::Test {
 protected:
  explicit EngineFixture(EngineSettings settings = {}, std::uint64_t seed = 1) : settings_(std::move(settings)) {
    make_engine(seed);
  }

  void make_engine(std::uint64_t seed) {
    engine_.reset();
    backend_ = std::make_unique<fakes::SimNodeBackend>(executor_, settings_);
    journal_ = std::make_unique<core::Journal>();
    engine_ = std::make_unique<Engine>(executor_, *store_, *backend_, *journal_, VmSizeCatalog::builtin(), settings_,
                                       seed);
    auto ws = engine_->put_workspace(ResourcePath::workspace_path(kSub, kRg, kWs), {"eastus", {}});
    EXPECT_TRUE(ws.ok());
    auto exp = engine_->put_experiment(ResourcePath::experiment_path(kSub, kRg, kWs, "exp"));
    EXPECT_TRUE(exp.ok());
  }

  // Moves the clock by `seconds`, running everything due.
  void advance(double seconds) { executor_.run_until(executor_.now() + core::from_seconds(seconds)); }
  double elapsed() const { return core::to_seconds(executor_.now() - core::kDefaultEpoch); }

  ResourcePath cluster_path(const std::string& name = "c") { return ResourcePath::cluster(kSub, kRg, kWs, name); }
  ResourcePath job_path(const std::string& name) { return ResourcePath::job(kSub, kRg, kWs, "exp", name); }

  // scale: a JSON scaleSettings object, e.g. R"({"manual":{"targetNodeCount":2}})".
  const ClusterRecord& create_cluster(const std::string& name, const std::string& scale,
                                      const std::string& extra = {}) {
    const std::string body = R"({"properties":{"vmSize":"STANDARD_NC6","userAccountSettings":{"adminUserName":"u"},)" +
                             extra + R"("scaleSettings":)" + scale + "}}";
    auto spec = model::parse_cluster_create(boost::json::parse(body));
    EXPECT_TRUE(spec.ok()) << (spec.ok() ? "" : spec.error().message);
    auto op = engine_->create_cluster(cluster_path(name), *spec);
    EXPECT_TRUE(op.ok()) << (op.ok() ? "" : op.error().message);
    advance(0);
    return cluster(name);
  }

  const ClusterRecord& cluster(const std::string& name = "c") { return *engine_->get_cluster(cluster_path(name)).value(); }
  const model::NodeStateCounts& counts(const std::string& name = "c") { return cluster(name).node_counts; }

  // Submits a job with EMULATOR_SIM_DURATION=`seconds` (and the given extras inside properties, and
  // `extra_env`: more {"name":..,"value":..} entries of environmentVariables).
  const JobRecord& submit(const std::string& name, int nodes, double seconds, const std::string& extra = {},
                          const std::string& cluster_name = "c", const std::string& extra_env = {}) {
    const std::string body =
        R"({"properties":{"cluster":{"id":")" + cluster_path(cluster_name).arm_id() + R"("},"nodeCount":)" +
        std::to_string(nodes) + R"(,"stdOutErrPathPrefix":"/tmp","customToolkitSettings":{"commandLine":"x"},)" +
        extra + R"("environmentVariables":[{"name":"EMULATOR_SIM_DURATION","value":")" + std::to_string(seconds) +
        R"("})" + (extra_env.empty() ? "" : "," + extra_env) + "]}}";
    auto spec = model::parse_job_create(boost::json::parse(body));
    EXPECT_TRUE(spec.ok()) << (spec.ok() ? "" : spec.error().message) << body;
    auto op = engine_->create_job(job_path(name), *spec);
    EXPECT_TRUE(op.ok()) << (op.ok() ? "" : op.error().message);
    advance(0);
    return job(name);
  }

  const JobRecord& job(const std::string& name) { return *engine_->get_job(job_path(name)).value(); }
  model::ExecutionState state(const std::string& name) { return job(name).execution_state; }

  // The order in which jobs entered `running`, from the journal.
  std::vector<std::string> start_order() {
    std::vector<std::string> order;
    for (const auto& r : journal_->since(0)) {
      if (r.kind == "job" && r.to == "running") order.push_back(r.subject.substr(r.subject.rfind('/') + 1));
    }
    return order;
  }

  EngineSettings settings_;
  core::SimulatedExecutor executor_;
  std::unique_ptr<DocumentStore> store_ = std::make_unique<store::MemoryDocumentStore>();
  std::unique_ptr<fakes::SimNodeBackend> backend_;
  std::unique_ptr<core::Journal> journal_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace emu::engine::testing
