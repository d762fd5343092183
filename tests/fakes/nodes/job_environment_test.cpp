#include "fakes/nodes/job_environment.hpp"

#include <gtest/gtest.h>

namespace emu::fakes {
namespace {

model::JobBaseProperties spec() {
  model::JobBaseProperties s;
  s.std_out_err_path_prefix = "$AZ_BATCHAI_MOUNT_ROOT/afs/";
  s.input_directories = {{"DATA", "${AZ_BATCHAI_MOUNT_ROOT}/data"}};
  s.output_directories = {{"MODEL", "$AZ_BATCHAI_MOUNT_ROOT/out", std::string("m")}};
  s.environment_variables = {{"WHERE", "$AZ_BATCHAI_JOB_TEMP/x $HOME $AZ_BATCHAI_UNDEFINED."}};
  s.secrets = {{"TOKEN", std::string("s3cret"), std::nullopt}};
  return s;
}

TEST(JobEnvironment, FollowsTheRuntimeLayout) {
  const auto s = spec();
  auto env = JobEnvironment::for_job({"job1", "sub/rg/workspaces/ws/experiments/e/jobs/job1/u", &s, {"10.0.0.4", "10.0.0.5"}, 1});
  const std::string root = "/mnt/batch/tasks/shared/LS_root";
  EXPECT_EQ(*env.find("AZ_BATCHAI_MOUNT_ROOT"), root + "/mounts");
  EXPECT_EQ(*env.find("AZ_BATCHAI_JOB_TEMP"), root + "/jobs/job1");
  EXPECT_EQ(*env.find("AZ_BATCHAI_SHARED_JOB_TEMP"), root + "/jobs/job1/shared");
  EXPECT_EQ(*env.find("AZ_BATCHAI_MPI_HOST_FILE"), root + "/jobs/job1/hostfile");
  EXPECT_EQ(*env.find("AZ_BATCHAI_STDOUTERR_DIR"),
            root + "/mounts/afs/sub/rg/workspaces/ws/experiments/e/jobs/job1/u/stdouterr");
  EXPECT_EQ(*env.find("AZ_BATCHAI_INPUT_DATA"), root + "/mounts/data");
  EXPECT_EQ(*env.find("AZ_BATCHAI_OUTPUT_MODEL"), root + "/mounts/out/sub/rg/workspaces/ws/experiments/e/jobs/job1/u/outputs/m");
  EXPECT_EQ(*env.find("AZ_BATCHAI_NUM_GPUS"), "1");
  EXPECT_EQ(*env.find("AZ_BATCH_HOST_LIST"), "10.0.0.4,10.0.0.5");
  EXPECT_EQ(*env.find("TOKEN"), "s3cret");
  // Undefined AZ_BATCHAI_ references vanish; other references stay for the shell.
  EXPECT_EQ(*env.find("WHERE"), root + "/jobs/job1/x $HOME .");
}

TEST(JobEnvironment, ExpandsOnlyBatchAiNames) {
  JobEnvironment env;
  env.set("AZ_BATCHAI_A", "1");
  EXPECT_EQ(env.expand("$AZ_BATCHAI_A-${AZ_BATCHAI_A}-$PATH-${AZ_BATCHAI_A-$"), "1-1-$PATH-${AZ_BATCHAI_A-$");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
}

}  // namespace
}  // namespace emu::fakes
