// Clusters, nodes and jobs through their whole lifecycle on the simulated clock, at exact times.

#include "tests/engine/engine_fixture.hpp"

namespace emu::engine::testing {
namespace {

using model::AllocationState;
using model::ExecutionState;

class EngineLifecycleTest : public EngineFixture {};

TEST_F(EngineLifecycleTest, ManualClusterAllocatesPreparesAndIdlesItsNodes) {
  const auto& c = create_cluster("c", R"({"manual":{"targetNodeCount":2}})");
  EXPECT_EQ(c.provisioning_state, model::ProvisioningState::kSucceeded);
  EXPECT_EQ(c.allocation_state, AllocationState::kResizing);
  EXPECT_EQ(counts().preparing_node_count, 0);
  advance(2);  // allocation delay
  EXPECT_EQ(cluster().allocation_state, AllocationState::kSteady);
  EXPECT_EQ(counts().preparing_node_count, 2);
  advance(1);  // setup
  EXPECT_EQ(counts().idle_node_count, 2);
  auto nodes = engine_->nodes_of(cluster_path().key());
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_NE(nodes[0]->ip_address, nodes[1]->ip_address);
  EXPECT_EQ(nodes[0]->id.rfind("tvm-", 0), 0u);
}

TEST_F(EngineLifecycleTest, AJobRunsForItsSimulatedDurationAndSucceeds) {
  create_cluster("c", R"({"manual":{"targetNodeCount":1}})");
  submit("j", 1, 30);
  EXPECT_EQ(state("j"), ExecutionState::kQueued);
  advance(3);
  EXPECT_EQ(state("j"), ExecutionState::kRunning);
  EXPECT_EQ(counts().running_node_count, 1);
  const double started = core::to_seconds(*job("j").start_time - core::kDefaultEpoch);
  EXPECT_DOUBLE_EQ(started, 3);
  advance(29.999);
  EXPECT_EQ(state("j"), ExecutionState::kRunning);
  advance(0.001);
  EXPECT_EQ(state("j"), ExecutionState::kSucceeded);
  EXPECT_EQ(job("j").exit_code, 0);
  EXPECT_EQ(counts().idle_node_count, 1);
}

TEST_F(EngineLifecycleTest, NonZeroExitFailsWithJobFailed) {
  create_cluster("c", R"({"manual":{"targetNodeCount":1}})");
  submit("j", 1, 5, R"("constraints":{"maxWallClockTime":"PT1H"},)");
  advance(0);
  const std::string body = R"({"properties":{"cluster":{"id":")" + cluster_path().arm_id() +
                           R"("},"nodeCount":1,"stdOutErrPathPrefix":"/tmp","environmentVariables":[
                           {"name":"EMULATOR_SIM_EXIT_CODE","value":"3"},{"name":"EMULATOR_SIM_DURATION","value":"5"}]}})";
  ASSERT_TRUE(engine_->create_job(job_path("bad"), *model::parse_job_create(boost::json::parse(body))).ok());
  advance(20);
  EXPECT_EQ(state("bad"), ExecutionState::kFailed);
  EXPECT_EQ(job("bad").exit_code, 3);
  ASSERT_EQ(job("bad").errors.size(), 1u);
  EXPECT_EQ(job("bad").errors[0].code, "JobFailed");
}

TEST_F(EngineLifecycleTest, FailingPreparationFailsWithJobPreparationFailed) {
  create_cluster("c", R"({"manual":{"targetNodeCount":1}})");
  const std::string body = R"({"properties":{"cluster":{"id":")" + cluster_path().arm_id() +
                           R"("},"nodeCount":1,"stdOutErrPathPrefix":"/tmp","jobPreparation":{"commandLine":"false"},
                           "environmentVariables":[{"name":"EMULATOR_SIM_PREP_EXIT_CODE","value":"1"},
                           {"name":"EMULATOR_SIM_PREP_DURATION","value":"4"}]}})";
  ASSERT_TRUE(engine_->create_job(job_path("j"), *model::parse_job_create(boost::json::parse(body))).ok());
  advance(3);
  EXPECT_EQ(state("j"), ExecutionState::kRunning);
  advance(4);
  EXPECT_EQ(state("j"), ExecutionState::kFailed);
  EXPECT_EQ(job("j").errors.at(0).code, "JobPreparationFailed");
  EXPECT_EQ(job("j").exit_code, 1);
}

TEST_F(EngineLifecycleTest, PriorityThenFirstComeFirstServed) {
  create_cluster("c", R"({"manual":{"targetNodeCount":1}})");
  advance(3);
  submit("busy", 1, 10);
  submit("low", 1, 10, R"("schedulingPriority":"low",)");
  submit("normal1", 1, 10);
  submit("high", 1, 10, R"("schedulingPriority":"high",)");
  submit("normal2", 1, 10);
  advance(100);
  EXPECT_EQ(start_order(), (std::vector<std::string>{"busy", "high", "normal1", "normal2", "low"}));
}

TEST_F(EngineLifecycleTest, GangPlacementWaitsForWholeNodesWithoutBackfill) {
  create_cluster("c", R"({"manual":{"targetNodeCount":3}})");
  advance(3);
  submit("a", 2, 50);
  submit("b", 2, 10);
  submit("c", 1, 10);
  advance(1);
  EXPECT_EQ(state("a"), ExecutionState::kRunning);
  EXPECT_EQ(state("b"), ExecutionState::kQueued) << "needs 2 nodes, only 1 is idle";
  EXPECT_EQ(state("c"), ExecutionState::kQueued) << "no backfill past the head of the queue";
  EXPECT_EQ(counts().idle_node_count, 1);
  advance(50);
  EXPECT_EQ(state("b"), ExecutionState::kRunning);
  EXPECT_EQ(state("c"), ExecutionState::kRunning);
}

class BackfillTest : public EngineFixture {
 protected:
  static EngineSettings with_backfill() {
    EngineSettings s;
    s.scheduler_backfill = true;
    return s;
  }
  BackfillTest() : EngineFixture(with_backfill()) {}
};

TEST_F(BackfillTest, SmallerJobsFillIdleNodesBehindABlockedHead) {
  create_cluster("c", R"({"manual":{"targetNodeCount":3}})");
  advance(3);
  submit("a", 2, 50);
  submit("b", 2, 10);
  submit("c", 1, 10);
  advance(1);
  EXPECT_EQ(state("b"), ExecutionState::kQueued);
  EXPECT_EQ(state("c"), ExecutionState::kRunning);
}

TEST_F(EngineLifecycleTest, ALostNodeRequeuesItsJobWhichRestartsElsewhere) {
  create_cluster("c", R"({"manual":{"targetNodeCount":2}})");
  advance(3);
  submit("j", 1, 100);
  advance(1);
  ASSERT_EQ(state("j"), ExecutionState::kRunning);
  const std::string node = engine_->job_remote_logins(job_path("j")).value().at(0).node_id;
  auto hit = engine_->fail_nodes(NodeSelector::node(node));
  ASSERT_TRUE(hit.ok());
  EXPECT_EQ(counts().unusable_node_count, 1);
  advance(0);
  EXPECT_EQ(state("j"), ExecutionState::kRunning) << "restarted at once on the other idle node";
  EXPECT_NE(engine_->job_remote_logins(job_path("j")).value().at(0).node_id, node);
  bool requeued = false;
  for (const auto& r : journal_->since(0)) requeued = requeued || (r.kind == "job" && r.to == "queued" && !r.from.empty());
  EXPECT_TRUE(requeued);
}

TEST_F(EngineLifecycleTest, WallClockLimitStopsTheJob) {
  create_cluster("c", R"({"manual":{"targetNodeCount":1}})");
  advance(3);
  submit("j", 1, 60, R"("constraints":{"maxWallClockTime":"PT10S"},)");
  advance(9.9);
  EXPECT_EQ(state("j"), ExecutionState::kRunning);
  advance(0.2);
  EXPECT_EQ(state("j"), ExecutionState::kFailed);
  EXPECT_EQ(job("j").errors.at(0).code, "MaxWallClockTimeExceeded");
  EXPECT_FALSE(job("j").exit_code.has_value());
  EXPECT_EQ(counts().idle_node_count, 1);
}

TEST_F(EngineLifecycleTest, TerminateStopsARunningJob) {
  create_cluster("c", R"({"manual":{"targetNodeCount":1}})");
  advance(3);
  submit("j", 1, 60);
  advance(1);
  auto op = engine_->terminate_job(job_path("j"));
  ASSERT_TRUE(op.ok());
  EXPECT_EQ(state("j"), ExecutionState::kTerminating);
  advance(0);
  EXPECT_EQ(state("j"), ExecutionState::kFailed);
  EXPECT_EQ(job("j").errors.at(0).code, "JobTerminated");
  EXPECT_EQ(counts().idle_node_count, 1);
  EXPECT_EQ((*engine_->get_operation((*op)->id))->status, OperationStatus::kSucceeded);
}

TEST_F(EngineLifecycleTest, DeletingARunningJobStopsIt) {
  create_cluster("c", R"({"manual":{"targetNodeCount":1}})");
  advance(3);
  submit("j", 1, 60);
  advance(1);
  ASSERT_TRUE(engine_->delete_job(job_path("j")).ok());
  advance(0);
  EXPECT_FALSE(engine_->get_job(job_path("j")).ok());
  EXPECT_EQ(counts().idle_node_count, 1);
}

struct DeallocationCase {
  const char* option;
  ExecutionState job_state_after_shrink;
  int leaving_right_after;
};

class DeallocationTest : public EngineFixture, public ::testing::WithParamInterface<DeallocationCase> {};

TEST_P(DeallocationTest, ShrinkingToZeroTreatsRunningJobsAsTheOptionSays) {
  const auto& param = GetParam();
  create_cluster("c", R"({"manual":{"targetNodeCount":2}})");
  advance(3);
  submit("j1", 1, 30);
  submit("j2", 1, 30);
  advance(1);
  model::ClusterUpdateProperties update;
  update.scale_settings = model::ScaleSettings{};
  update.scale_settings->manual = model::ManualScaleSettings{};
  update.scale_settings->manual->target_node_count = 0;
  update.scale_settings->manual->node_deallocation_option = *model::parse_deallocation_option(param.option);
  ASSERT_TRUE(engine_->update_cluster(cluster_path(), update).ok());
  EXPECT_EQ(state("j1"), param.job_state_after_shrink);
  EXPECT_EQ(counts().leaving_node_count, param.leaving_right_after);
  EXPECT_EQ(cluster().allocation_state,
            param.leaving_right_after > 0 ? AllocationState::kResizing : AllocationState::kSteady);
  advance(31);
  advance(2);
  EXPECT_EQ(counts().leaving_node_count + counts().idle_node_count + counts().running_node_count, 0);
  EXPECT_EQ(cluster().allocation_state, AllocationState::kSteady);
  if (std::string(param.option) == "waitforjobcompletion") {
    EXPECT_EQ(state("j1"), ExecutionState::kSucceeded);
  }
}

INSTANTIATE_TEST_SUITE_P(Options, DeallocationTest,
                         ::testing::Values(DeallocationCase{"requeue", ExecutionState::kQueued, 2},
                                           DeallocationCase{"terminate", ExecutionState::kFailed, 2},
                                           DeallocationCase{"waitforjobcompletion", ExecutionState::kRunning, 0}),
                         [](const ::testing::TestParamInfo<DeallocationCase>& p) { return std::string(p.param.option); });

TEST_F(EngineLifecycleTest, AutoscaleGrowsToDemandAndShrinksBackToZero) {
  create_cluster("c", R"({"autoScale":{"minimumNodeCount":0,"maximumNodeCount":4}})");
  EXPECT_EQ(cluster().allocation_state, AllocationState::kSteady);
  submit("a", 1, 30);
  submit("b", 1, 30);
  submit("c", 1, 30);
  advance(4.9);
  EXPECT_EQ(counts().preparing_node_count + counts().idle_node_count, 0) << "first evaluation is at 5 s";
  advance(0.1);  // t=5: evaluation asks for 3 nodes
  EXPECT_EQ(cluster().allocation_state, AllocationState::kResizing);
  advance(2);  // t=7: allocated
  EXPECT_EQ(counts().preparing_node_count, 3);
  advance(1);  // t=8: prepared, jobs start
  EXPECT_EQ(counts().running_node_count, 3);
  advance(30);  // t=38: jobs done
  EXPECT_EQ(counts().idle_node_count, 3);
  advance(2);  // t=40: evaluation shrinks
  EXPECT_EQ(counts().leaving_node_count, 3);
  advance(1);  // t=41: gone
  EXPECT_EQ(counts().leaving_node_count, 0);
  EXPECT_EQ(cluster().allocation_state, AllocationState::kSteady);
  EXPECT_EQ(engine_->nodes_of(cluster_path().key()).size(), 0u);
}

TEST_F(EngineLifecycleTest, AutoscaleNeverExceedsItsMaximum) {
  create_cluster("c", R"({"autoScale":{"minimumNodeCount":1,"maximumNodeCount":2,"initialNodeCount":1}})");
  for (int i = 0; i < 5; ++i) submit("j" + std::to_string(i), 1, 100);
  advance(20);
  EXPECT_EQ(counts().running_node_count, 2);
  EXPECT_EQ(engine_->queued_job_count(), 3u);
}

TEST_F(EngineLifecycleTest, SwappingManualAndAutoscaleAtAnyTime) {
  create_cluster("c", R"({"manual":{"targetNodeCount":2}})");
  advance(3);
  model::ClusterUpdateProperties to_auto;
  to_auto.scale_settings = model::ScaleSettings{};
  to_auto.scale_settings->auto_scale = model::AutoScaleSettings{0, 1, 0};
  ASSERT_TRUE(engine_->update_cluster(cluster_path(), to_auto).ok());
  advance(2);  // immediate evaluation: no demand -> 0 nodes
  EXPECT_EQ(engine_->nodes_of(cluster_path().key()).size(), 0u);
  model::ClusterUpdateProperties to_manual;
  to_manual.scale_settings = model::ScaleSettings{};
  to_manual.scale_settings->manual = model::ManualScaleSettings{};
  to_manual.scale_settings->manual->target_node_count = 3;
  ASSERT_TRUE(engine_->update_cluster(cluster_path(), to_manual).ok());
  advance(10);
  EXPECT_EQ(counts().idle_node_count, 3);
}

class QuotaTest : public EngineFixture {
 protected:
  static EngineSettings small_quota() {
    EngineSettings s;
    s.dedicated_vcpu_quota_per_family = 24;  // four NC6 nodes
    return s;
  }
  QuotaTest() : EngineFixture(small_quota()) {}
};

TEST_F(QuotaTest, AllocationStopsAtTheQuotaAndSaysWhy) {
  create_cluster("c", R"({"manual":{"targetNodeCount":6}})");
  advance(3);
  EXPECT_EQ(counts().idle_node_count, 4);
  ASSERT_EQ(cluster().errors.size(), 1u);
  EXPECT_EQ(cluster().errors[0].code, "AccountCoreQuotaReached");
  bool reported = false;
  for (const auto& u : engine_->usages(kSub, "eastus")) {
    if (u.name == "Standard NC Family Cluster Dedicated vCPUs") {
      EXPECT_EQ(u.current, 24);
      EXPECT_EQ(u.limit, 24);
      reported = true;
    }
  }
  EXPECT_TRUE(reported);
}

TEST_F(EngineLifecycleTest, DeletingAClusterEndsItsJobsAndReleasesItsNodes) {
  create_cluster("c", R"({"manual":{"targetNodeCount":1}})");
  advance(3);
  submit("running", 1, 100);
  submit("queued", 1, 100);
  advance(1);
  ASSERT_TRUE(engine_->delete_cluster(cluster_path()).ok());
  EXPECT_EQ(state("running"), ExecutionState::kFailed);
  EXPECT_EQ(state("queued"), ExecutionState::kFailed);
  EXPECT_EQ(job("running").errors.at(0).code, "ClusterDeleted");
  advance(5);
  EXPECT_FALSE(engine_->get_cluster(cluster_path()).ok());
}

TEST_F(EngineLifecycleTest, LowPriorityNodesArePreemptedAfter24HoursOfAJob) {
  create_cluster("c", R"({"manual":{"targetNodeCount":1}})", R"("vmPriority":"lowpriority",)");
  advance(3);
  submit("long", 1, 2 * 24 * 3600.0);
  advance(24 * 3600.0 - 1);
  EXPECT_EQ(state("long"), ExecutionState::kRunning);
  advance(1);
  EXPECT_EQ(state("long"), ExecutionState::kQueued) << "preempted and requeued";
  advance(4);  // a replacement node is allocated and the job starts again
  EXPECT_EQ(state("long"), ExecutionState::kRunning);
}

TEST_F(EngineLifecycleTest, PreemptionFaultRemovesTheNodeAndTheClusterReplacesIt) {
  create_cluster("c", R"({"manual":{"targetNodeCount":2}})");
  advance(3);
  auto hit = engine_->preempt_nodes(NodeSelector::any(1));
  ASSERT_TRUE(hit.ok());
  ASSERT_EQ(hit->size(), 1u);
  EXPECT_EQ(counts().leaving_node_count, 1);
  advance(10);
  EXPECT_EQ(counts().idle_node_count, 2);
}

}  // namespace
}  // namespace emu::engine::testing
