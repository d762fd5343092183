#include "fakes/nodes/toolkit_launcher.hpp"

#include <gtest/gtest.h>

namespace emu::fakes {
namespace {

const std::vector<LaunchNode> kNodes = {{"n0", "10.0.0.4"}, {"n1", "10.0.0.5"}};

TEST(ToolkitLauncher, TensorFlowPsAndWorkers) {
  model::JobBaseProperties s;
  s.tensor_flow_settings = model::TensorFlowSettings{.python_script_file_path = "t.py",
                                                     .python_interpreter_path = std::string("python3"),
                                                     .master_command_line_args = std::string("--i=$AZ_BATCHAI_TASK_INDEX"),
                                                     .worker_command_line_args = std::string("--w=$AZ_BATCHAI_TASK_INDEX"),
                                                     .parameter_server_command_line_args = std::nullopt,
                                                     .worker_count = 2,
                                                     .parameter_server_count = 1};
  auto plan = ToolkitLauncher::plan(s, JobEnvironment{}, kNodes, {});
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->size(), 3u);
  EXPECT_EQ((*plan)[0].stdout_name, "stdout-ps-0.txt");
  EXPECT_TRUE((*plan)[0].waits_for_others);
  EXPECT_EQ((*plan)[1].stdout_name, "stdout-wk-0.txt");
  EXPECT_EQ((*plan)[1].command, "'python3' 't.py' --i=0");
  EXPECT_EQ((*plan)[2].command, "'python3' 't.py' --w=1");
  EXPECT_EQ((*plan)[2].node_index, 1u);
  EXPECT_EQ(*(*plan)[1].env.find("TF_CONFIG"),
            R"({"cluster":{"ps":["10.0.0.4:2222"],"worker":["10.0.0.4:2223","10.0.0.5:2223"]},)"
            R"("task":{"type":"master","index":0},"environment":"cloud"})");
}

TEST(ToolkitLauncher, MpiGoesThroughMpirunWithTheHostFile) {
  model::JobBaseProperties s;
  s.custom_mpi_settings = model::CustomMpiSettings{"hostname", 4};
  // Initialized in place: GCC 12 warns falsely (-Wmaybe-uninitialized) on assigning short strings at -O3.
  const MpiLaunchSettings mpi{.agent = "/a", .host_file = "/h"};
  auto plan = ToolkitLauncher::plan(s, JobEnvironment{}, kNodes, mpi);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->size(), 1u);
  EXPECT_TRUE((*plan)[0].on_mpi_launcher);
  EXPECT_NE((*plan)[0].command.find("--hostfile '/h' -np 4"), std::string::npos);
  EXPECT_EQ(ToolkitLauncher::host_file(kNodes, 4), "10.0.0.4 slots=2\n10.0.0.5 slots=2\n");
}

TEST(ToolkitLauncher, MpirunGetsTheLauncherAgentAndRanksDoNot) {
  model::JobBaseProperties s;
  s.custom_mpi_settings = model::CustomMpiSettings{"hostname", std::nullopt};
  JobEnvironment env;
  env.set("OMPI_MCA_plm_rsh_agent", "/in-node-agent --socket=/s");
  env.set("AZ_BATCHAI_X", "1");
  const MpiLaunchSettings mpi{.agent = "/host-agent --socket=/h"};
  auto plan = ToolkitLauncher::plan(s, env, kNodes, mpi);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(*(*plan)[0].env.find("OMPI_MCA_plm_rsh_agent"), "/host-agent --socket=/h");
  // Exported to ranks with -x, the host's agent would replace the one that works in their node.
  EXPECT_NE((*plan)[0].command.find("-x AZ_BATCHAI_X"), std::string::npos);
  EXPECT_EQ((*plan)[0].command.find("-x OMPI_MCA_plm_rsh_agent"), std::string::npos) << (*plan)[0].command;
}

TEST(ToolkitLauncher, PyTorchOneProcessPerNode) {
  model::JobBaseProperties s;
  model::PyTorchSettings pt;
  pt.python_script_file_path = "p.py";
  s.py_torch_settings = pt;
  auto plan = ToolkitLauncher::plan(s, JobEnvironment{}, kNodes, {});
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->size(), 2u);
  EXPECT_EQ(*(*plan)[1].env.find("AZ_BATCHAI_TASK_INDEX"), "1");
  EXPECT_EQ((*plan)[1].stdout_name, "stdout-1.txt");
}

}  // namespace
}  // namespace emu::fakes
