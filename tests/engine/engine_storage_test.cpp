// Simulated file servers through the whole engine: jobs that mount one write to it as they finish;
// a full disk fails the job, an outage makes a hard mount wait and a soft one fail.

#include "fakes/nfs/sim_storage_model.hpp"
#include "emulator/model/file_server_codec.hpp"
#include "tests/engine/engine_fixture.hpp"

namespace emu::engine::testing {
namespace {

constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;

class EngineStorageTest : public EngineFixture {
 protected:
  EngineStorageTest() : storage_(executor_) {
    backend_->set_storage(&storage_);
    auto spec = model::parse_file_server_create(boost::json::parse(
        R"({"properties":{"vmSize":"STANDARD_D1","sshConfiguration":{"userAccountSettings":{"adminUserName":"u"}},
            "dataDisks":{"diskSizeInGB":1,"diskCount":2,"storageAccountType":"Standard_LRS"}}})"));
    EXPECT_TRUE(engine_->create_file_server(server_path(), *spec).ok());
    advance(0);
  }
  ResourcePath server_path() { return ResourcePath::file_server(kSub, kRg, kWs, "nfs"); }
  std::string store() { return server_path().key(); }

  // A one-node cluster mounting the file server with `options`.
  void cluster_mounting(const std::string& options) {
    create_cluster("c", R"({"manual":{"targetNodeCount":1}})",
                   R"("nodeSetup":{"mountVolumes":{"fileServers":[{"fileServer":{"id":")" + server_path().arm_id() +
                       R"("},"relativeMountPath":"nfs","mountOptions":")" + options + R"("}]}},)");
    advance(3);
  }
  const JobRecord& writer(const std::string& name, std::uint64_t bytes, double seconds = 10) {
    return submit(name, 1, seconds, {}, "c",
                  R"({"name":"EMULATOR_SIM_WRITE_BYTES","value":")" + std::to_string(bytes) + R"("})");
  }

  fakes::SimStorageModel storage_;
};

TEST_F(EngineStorageTest, WritesCountAgainstTheCapacityAndAFullDiskFailsTheJob) {
  cluster_mounting("rw");
  writer("small", kGiB / 2);
  advance(11);
  EXPECT_EQ(state("small"), model::ExecutionState::kSucceeded);
  EXPECT_EQ(storage_.usage(store())->used_bytes, kGiB / 2);
  EXPECT_EQ(storage_.usage(store())->capacity_bytes, 2 * kGiB);
  writer("big", 2 * kGiB);
  advance(11);
  EXPECT_EQ(state("big"), model::ExecutionState::kFailed);
  EXPECT_NE(job("big").errors.at(0).message.find("No space left"), std::string::npos) << job("big").errors.at(0).message;
  EXPECT_EQ(storage_.usage(store())->used_bytes, kGiB / 2) << "nothing of the failed write is kept";
}

TEST_F(EngineStorageTest, AnOutageMakesAHardMountWaitUntilTheServerIsBack) {
  cluster_mounting("rw,hard");
  writer("j", 1024, 10);
  advance(5);
  ASSERT_TRUE(storage_.begin_outage(store(), std::chrono::seconds(60)).ok());
  advance(10);  // t=15: the job's writes block
  EXPECT_EQ(state("j"), model::ExecutionState::kRunning);
  advance(60);  // the server is back at t=65 and the job finishes then
  EXPECT_EQ(state("j"), model::ExecutionState::kSucceeded);
  EXPECT_GE(core::to_seconds(*job("j").end_time - *job("j").start_time), 60.0);
}

TEST_F(EngineStorageTest, AnOutageFailsASoftMountWithAnIoError) {
  cluster_mounting("rw,soft");
  writer("j", 1024, 10);
  advance(5);
  ASSERT_TRUE(storage_.begin_outage(store(), std::chrono::seconds(60)).ok());
  advance(10);
  EXPECT_EQ(state("j"), model::ExecutionState::kFailed);
  EXPECT_NE(job("j").errors.at(0).message.find("Input/output error"), std::string::npos);
}

TEST_F(EngineStorageTest, DeletingTheFileServerForgetsItsStore) {
  cluster_mounting("rw");
  writer("j", 1024);
  advance(11);
  ASSERT_TRUE(storage_.usage(store()).ok());
  ASSERT_TRUE(engine_->delete_file_server(server_path()).ok());
  advance(1);
  EXPECT_FALSE(storage_.usage(store()).ok());
}

}  // namespace
}  // namespace emu::engine::testing
