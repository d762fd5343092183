// The same seed and the same inputs give the same journal bytes; another seed gives other bytes.

#include "tests/engine/engine_fixture.hpp"

namespace emu::engine::testing {
namespace {

class EngineDeterminismTest : public EngineFixture {
 protected:
  // 1,000 jobs of mixed sizes and priorities on two clusters, with node failures on the autoscale
  // cluster (which replaces unusable nodes) and preemptions anywhere, the nodes chosen by the
  // engine's seeded RNG. Returns the journal's digest.
  std::string run_workload(std::uint64_t seed) {
    executor_ = core::SimulatedExecutor{};
    store_ = std::make_unique<store::MemoryDocumentStore>();
    make_engine(seed);
    create_cluster("c", R"({"manual":{"targetNodeCount":8}})");
    create_cluster("auto", R"({"autoScale":{"minimumNodeCount":0,"maximumNodeCount":6}})");
    const char* priorities[] = {"low", "normal", "high"};
    for (int i = 0; i < 1000; ++i) {
      const std::string extra = std::string(R"("schedulingPriority":")") + priorities[i % 3] + "\",";
      submit("j" + std::to_string(i), 1 + i % 3, 20 + (i * 37) % 200, extra, i % 4 == 0 ? "auto" : "c");
      if (i % 10 == 0) advance(15);
      if (i % 60 == 0) {
        NodeSelector on_auto = NodeSelector::any(1);
        on_auto.cluster_id = cluster_path("auto").arm_id();
        (void)engine_->fail_nodes(on_auto);
      }
      if (i % 130 == 0) (void)engine_->preempt_nodes(NodeSelector::any(1));
    }
    advance(3600 * 10);
    return journal_->digest_hex();
  }
};

TEST_F(EngineDeterminismTest, SameSeedSameDigestOtherSeedOtherDigest) {
  const std::string first = run_workload(7);
  std::size_t finished = 0;
  for (const auto& [key, job] : engine_->jobs()) {
    finished += job.execution_state == model::ExecutionState::kSucceeded ? 1 : 0;
  }
  EXPECT_EQ(finished, 1000u) << "every job eventually succeeds, failed nodes notwithstanding";
  const std::string second = run_workload(7);
  EXPECT_EQ(first, second);
  const std::string other = run_workload(8);
  EXPECT_NE(first, other);
}

}  // namespace
}  // namespace emu::engine::testing
