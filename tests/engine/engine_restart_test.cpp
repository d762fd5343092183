// Durable state: what the engine acknowledged is there after a restart on the same store, in-flight
// operations finish, and work that was running goes back to the queue.

#include "tests/engine/durable_engine_fixture.hpp"

namespace emu::engine::testing {
namespace {

class EngineRestartTest : public DurableEngineFixture {
 protected:
  EngineRestartTest() : DurableEngineFixture("engine-restart") {}
};

TEST_F(EngineRestartTest, ResourcesJobsAndTheJournalSurviveARestart) {
  create_cluster("c", R"({"manual":{"targetNodeCount":1}})");
  advance(3);
  submit("done", 1, 1);
  advance(2);
  submit("running", 1, 100);
  advance(1);
  ASSERT_EQ(state("done"), model::ExecutionState::kSucceeded);
  ASSERT_EQ(state("running"), model::ExecutionState::kRunning);
  const std::uint64_t last = journal_->last_sequence();
  const std::string output_id = job("running").output_id;

  reopen();
  EXPECT_EQ(state("done"), model::ExecutionState::kSucceeded);
  EXPECT_EQ(job("running").output_id, output_id);
  EXPECT_EQ(state("running"), model::ExecutionState::kQueued) << "its processes did not survive the restart";
  EXPECT_GE(journal_->last_sequence(), last);
  advance(10);  // the cluster re-allocates its node and the job runs again
  EXPECT_EQ(state("running"), model::ExecutionState::kRunning);
  EXPECT_EQ(counts().running_node_count, 1);
}

TEST_F(EngineRestartTest, AnInFlightDeletionFinishesAfterTheRestart) {
  create_cluster("c", R"({"manual":{"targetNodeCount":0}})");
  auto op = engine_->delete_cluster(cluster_path());
  ASSERT_TRUE(op.ok());
  const std::string id = (*op)->id;
  reopen();
  ASSERT_TRUE(engine_->get_operation(id).ok());
  advance(0);
  EXPECT_EQ((*engine_->get_operation(id))->status, OperationStatus::kSucceeded);
  EXPECT_FALSE(engine_->get_cluster(cluster_path()).ok());
}

TEST_F(EngineRestartTest, IdsNeverRepeatAcrossRestarts) {
  create_cluster("c", R"({"manual":{"targetNodeCount":0}})");
  const std::string first = submit("a", 1, 1).output_id;
  reopen();
  const std::string second = submit("b", 1, 1).output_id;
  EXPECT_NE(first, second);
}

}  // namespace
}  // namespace emu::engine::testing
