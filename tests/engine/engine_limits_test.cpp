// The engine's limits (EngineSettings::max_operations_in_flight, max_jobs_per_experiment): the call
// at the limit is refused with the documented error, leaves nothing behind (no record, no journal
// record, no id, nothing in the store), and the same call passes once an operation has finished or a
// job has been deleted. The counts survive a restart.

#include <map>
#include <string>
#include <vector>

#include "emulator/model/file_server_codec.hpp"
#include "tests/engine/durable_engine_fixture.hpp"

namespace emu::engine::testing {
namespace {

EngineSettings limited(std::int64_t operations, std::int64_t jobs) {
  EngineSettings s;
  s.max_operations_in_flight = operations;
  s.max_jobs_per_experiment = jobs;
  s.cluster_provisioning_delay = std::chrono::seconds(10);
  s.job_deletion_delay = std::chrono::seconds(5);
  return s;
}

model::ClusterBaseProperties cluster_spec() {
  auto spec = model::parse_cluster_create(boost::json::parse(
      R"({"properties":{"vmSize":"STANDARD_NC6","userAccountSettings":{"adminUserName":"u"},)"
      R"("scaleSettings":{"manual":{"targetNodeCount":0}}}})"));
  EXPECT_TRUE(spec.ok());
  return *spec;
}

// Everything the engine has written, collection by collection: (key, body) in key order.
using StoreSnapshot = std::map<std::string, std::vector<std::pair<std::string, std::string>>>;

// An engine on a SQLite store in a temporary folder (so that "nothing stored" means something) that
// can be restarted on the same folder.
class EngineLimitsTest : public DurableEngineFixture {
 protected:
  explicit EngineLimitsTest(EngineSettings settings = limited(2, 3))
      : DurableEngineFixture("engine-limits", std::move(settings)) {}

  StoreSnapshot snapshot() {
    StoreSnapshot out;
    for (const char* collection : {"workspaces", "experiments", "clusters", "fileservers", "jobs", "nodes",
                                   "operations", "events", "meta"}) {
      auto docs = store_->load(collection);
      EXPECT_TRUE(docs.ok());
      for (const auto& d : *docs) out[collection].emplace_back(d.key, d.body);
    }
    return out;
  }

  // A job body as the fixture's submit() sends it, for calls that must fail.
  model::JobBaseProperties job_spec(const std::string& cluster = "c") {
    auto spec = model::parse_job_create(boost::json::parse(
        R"({"properties":{"cluster":{"id":")" + cluster_path(cluster).arm_id() +
        R"("},"nodeCount":1,"stdOutErrPathPrefix":"/tmp","customToolkitSettings":{"commandLine":"x"},)"
        R"("environmentVariables":[{"name":"EMULATOR_SIM_DURATION","value":"1"}]}})"));
    EXPECT_TRUE(spec.ok());
    return *spec;
  }

  // Asserts `result` is the refusal `code` of `kind`, naming the setting and the figures given.
  template <typename T>
  void expect_refused(const core::Result<T>& result, core::ErrorKind kind, const std::string& code,
                      const std::string& setting, const std::vector<std::string>& figures) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().kind, kind);
    EXPECT_EQ(result.error().code, code);
    EXPECT_NE(result.error().message.find(setting), std::string::npos) << result.error().message;
    for (const auto& figure : figures) {
      EXPECT_NE(result.error().message.find(figure), std::string::npos)
          << figure << ": " << result.error().message;
    }
  }
};

// ---------------------------------------------------------------------------------------------------------------------
// Operations in flight

TEST_F(EngineLimitsTest, TheOperationOverTheLimitIsRefusedAndLeavesNothingBehind) {
  ASSERT_TRUE(engine_->create_cluster(cluster_path("a"), cluster_spec()).ok());
  ASSERT_TRUE(engine_->create_cluster(cluster_path("b"), cluster_spec()).ok());
  ASSERT_EQ(engine_->operations_in_flight(), 2u);
  const StoreSnapshot before = snapshot();
  const std::uint64_t last_record = journal_->last_sequence();

  expect_refused(engine_->create_cluster(cluster_path("c"), cluster_spec()),
                 core::ErrorKind::kTooManyRequests, "TooManyOperationsInFlight",
                 "limits.maxOperationsInFlight", {"2 long-running operations", "is 2"});
  EXPECT_EQ(engine_->get_cluster(cluster_path("c")).error().code, "ClusterNotFound");
  EXPECT_EQ(engine_->operations_in_flight(), 2u);
  EXPECT_EQ(journal_->last_sequence(), last_record);
  EXPECT_EQ(snapshot(), before);

  // Once one operation has finished, the same call passes.
  advance(10);
  EXPECT_EQ(engine_->operations_in_flight(), 0u);
  auto op = engine_->create_cluster(cluster_path("c"), cluster_spec());
  ASSERT_TRUE(op.ok()) << op.error().message;
  EXPECT_EQ(engine_->operations_in_flight(), 1u);
}

TEST_F(EngineLimitsTest, EveryLongRunningCallIsRefusedAtTheLimit) {
  create_cluster("c", R"({"manual":{"targetNodeCount":1}})");
  advance(10);
  submit("running", 1, 1000);
  advance(5);
  ASSERT_EQ(state("running"), model::ExecutionState::kRunning);
  ASSERT_TRUE(engine_->put_experiment(ResourcePath::experiment_path(kSub, kRg, kWs, "other")).ok());
  auto fs_spec = model::parse_file_server_create(boost::json::parse(
      R"({"properties":{"vmSize":"STANDARD_D1","sshConfiguration":{"userAccountSettings":{"adminUserName":"u",)"
      R"("adminUserPassword":"p"}},"dataDisks":{"diskSizeInGB":10,"diskCount":1,)"
      R"("storageAccountType":"Standard_LRS"}}})"));
  ASSERT_TRUE(fs_spec.ok()) << fs_spec.error().message;
  // Two clusters being created hold both slots.
  ASSERT_TRUE(engine_->create_cluster(cluster_path("a"), cluster_spec()).ok());
  ASSERT_TRUE(engine_->create_cluster(cluster_path("b"), cluster_spec()).ok());
  const StoreSnapshot before = snapshot();

  const auto refused = [&](const auto& result) {
    expect_refused(result, core::ErrorKind::kTooManyRequests, "TooManyOperationsInFlight",
                   "limits.maxOperationsInFlight", {});
  };
  refused(engine_->create_file_server(ResourcePath::file_server(kSub, kRg, kWs, "fs"), *fs_spec));
  refused(engine_->terminate_job(job_path("running")));
  refused(engine_->delete_job(job_path("running")));
  refused(engine_->delete_cluster(cluster_path("c")));
  refused(engine_->delete_experiment(ResourcePath::experiment_path(kSub, kRg, kWs, "other")));
  refused(engine_->delete_workspace(ResourcePath::workspace_path(kSub, kRg, kWs)));
  EXPECT_EQ(snapshot(), before);
  EXPECT_EQ(state("running"), model::ExecutionState::kRunning);
  EXPECT_EQ(cluster("c").provisioning_state, model::ProvisioningState::kSucceeded);

  // A 404 stays a 404, and calls whose operation is done at once are not limited: a new job, and
  // the same PUT of a cluster again.
  EXPECT_EQ(engine_->delete_job(job_path("missing")).error().code, "JobNotFound");
  EXPECT_TRUE(engine_->create_job(job_path("queued"), job_spec()).ok());
  EXPECT_TRUE(engine_->create_cluster(cluster_path("a"), cluster_spec()).ok());
  EXPECT_EQ(engine_->operations_in_flight(), 2u);
}

TEST_F(EngineLimitsTest, ARefusedCallConsumesNoId) {
  // Two runs from the same seed, one with a refused call in the middle: the same ids and journal.
  const auto run = [](bool with_refusal) {
    core::SimulatedExecutor executor;
    store::MemoryDocumentStore store;
    EngineSettings settings = limited(1, 100);
    fakes::SimNodeBackend backend(executor, settings);
    core::Journal journal;
    Engine engine(executor, store, backend, journal, VmSizeCatalog::builtin(), settings, 7);
    EXPECT_TRUE(engine.put_workspace(ResourcePath::workspace_path(kSub, kRg, kWs), {"eastus", {}}).ok());
    EXPECT_TRUE(engine.create_cluster(ResourcePath::cluster(kSub, kRg, kWs, "a"), cluster_spec()).ok());
    if (with_refusal) {
      EXPECT_FALSE(engine.create_cluster(ResourcePath::cluster(kSub, kRg, kWs, "b"), cluster_spec()).ok());
    }
    executor.run_until(executor.now() + std::chrono::seconds(10));
    auto op = engine.create_cluster(ResourcePath::cluster(kSub, kRg, kWs, "b"), cluster_spec());
    EXPECT_TRUE(op.ok());
    executor.run_until(executor.now() + std::chrono::seconds(10));
    return std::make_pair(op.ok() ? (*op)->id : std::string(), journal.digest_hex());
  };
  EXPECT_EQ(run(true), run(false));
}

TEST_F(EngineLimitsTest, OperationsInFlightAreCountedAgainAfterARestart) {
  ASSERT_TRUE(engine_->create_cluster(cluster_path("a"), cluster_spec()).ok());
  ASSERT_TRUE(engine_->create_cluster(cluster_path("b"), cluster_spec()).ok());
  reopen();
  // load() resumes both operations (they finish on the next turn of the executor): until then they count.
  EXPECT_EQ(engine_->operations_in_flight(), 2u);
  EXPECT_FALSE(engine_->create_cluster(cluster_path("c"), cluster_spec()).ok());
  advance(0);
  EXPECT_EQ(engine_->operations_in_flight(), 0u);
  EXPECT_TRUE(engine_->create_cluster(cluster_path("c"), cluster_spec()).ok());
}

// ---------------------------------------------------------------------------------------------------------------------
// Jobs per experiment

class JobLimitTest : public EngineLimitsTest {
 protected:
  JobLimitTest() : EngineLimitsTest(limited(100, 3)) {
    create_cluster("c", R"({"manual":{"targetNodeCount":1}})");
    advance(10);
  }
};

TEST_F(JobLimitTest, TheJobOverTheLimitIsRefusedAndLeavesNothingBehind) {
  submit("j1", 1, 1);
  submit("j2", 1, 1000);
  submit("j3", 1, 1000);
  advance(5);
  ASSERT_EQ(state("j1"), model::ExecutionState::kSucceeded);
  const StoreSnapshot before = snapshot();
  const std::uint64_t last_record = journal_->last_sequence();
  const std::size_t operations = engine_->operations_in_flight();
  const std::size_t queued = engine_->queued_job_count();  // j3 waits for j2's node

  // A finished job still counts: it is still in the experiment.
  expect_refused(engine_->create_job(job_path("j4"), job_spec()), core::ErrorKind::kConflict,
                 "JobQuotaReached", "limits.maxJobsPerExperiment", {"exp", "has 3 jobs", "limit is 3"});
  EXPECT_EQ(engine_->get_job(job_path("j4")).error().code, "JobNotFound");
  EXPECT_EQ(engine_->job_count(), 3u);
  EXPECT_EQ(engine_->queued_job_count(), queued);
  EXPECT_EQ(engine_->operations_in_flight(), operations);
  EXPECT_EQ(journal_->last_sequence(), last_record);
  EXPECT_EQ(snapshot(), before);

  // The limit is per experiment; and the same PUT of an existing job is not a new job.
  ASSERT_TRUE(engine_->put_experiment(ResourcePath::experiment_path(kSub, kRg, kWs, "other")).ok());
  EXPECT_TRUE(engine_->create_job(ResourcePath::job(kSub, kRg, kWs, "other", "j4"), job_spec()).ok());
  EXPECT_TRUE(engine_->create_job(job_path("j3"), job("j3").spec).ok());
}

TEST_F(JobLimitTest, ADeletedJobStopsCountingWhenItsDeleteOperationIsDone) {
  submit("j1", 1, 1);
  submit("j2", 1, 1);
  submit("j3", 1, 1);
  advance(10);
  auto del = engine_->delete_job(job_path("j1"));
  ASSERT_TRUE(del.ok());
  // While the delete runs (job.deletionDelay is 5 s here) the job is still there and still counts.
  advance(4);
  EXPECT_EQ(engine_->create_job(job_path("j4"), job_spec()).error().code, "JobQuotaReached");
  advance(1);
  EXPECT_EQ(engine_->get_job(job_path("j1")).error().code, "JobNotFound");
  ASSERT_TRUE(engine_->create_job(job_path("j4"), job_spec()).ok());
  EXPECT_EQ(engine_->create_job(job_path("j5"), job_spec()).error().code, "JobQuotaReached");
}

TEST_F(JobLimitTest, DeletingTheExperimentFreesItsCount) {
  submit("j1", 1, 1);
  submit("j2", 1, 1);
  submit("j3", 1, 1);
  advance(10);
  const ResourcePath exp = ResourcePath::experiment_path(kSub, kRg, kWs, "exp");
  ASSERT_TRUE(engine_->delete_experiment(exp).ok());
  advance(0);
  ASSERT_TRUE(engine_->put_experiment(exp).ok());
  for (const char* name : {"k1", "k2", "k3"})
    EXPECT_TRUE(engine_->create_job(job_path(name), job_spec()).ok()) << name;
  EXPECT_EQ(engine_->create_job(job_path("k4"), job_spec()).error().code, "JobQuotaReached");
}

TEST_F(JobLimitTest, TheCountSurvivesARestart) {
  submit("j1", 1, 1);
  submit("j2", 1, 1);
  submit("j3", 1, 1);
  advance(10);
  reopen();
  EXPECT_EQ(engine_->create_job(job_path("j4"), job_spec()).error().code, "JobQuotaReached");
  ASSERT_TRUE(engine_->delete_job(job_path("j2")).ok());
  advance(5);
  EXPECT_TRUE(engine_->create_job(job_path("j4"), job_spec()).ok());
}

}  // namespace
}  // namespace emu::engine::testing
