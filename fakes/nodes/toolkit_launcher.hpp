#pragma once
// ToolkitLauncher: turns a job's toolkit settings into the processes Batch AI started for it: which
// node (or the MPI launcher), which shell command, which stdout/stderr file names and which extra
// variables (TF_CONFIG, AZ_BATCHAI_TASK_INDEX, ...). Pure logic: the backend runs the plan.
//   auto plan = ToolkitLauncher::plan(job_spec, base_env, nodes, mpi);
//   for (const auto& p : *plan) spawn(p.node_index, p.command, p.stdout_name);

#include <cstddef>
#include <string>
#include <vector>

#include "emulator/core/result.hpp"
#include "emulator/model/job_types.hpp"
#include "fakes/nodes/job_environment.hpp"

namespace emu::fakes {

struct LaunchNode {
  std::string id;
  std::string ip;
};

// How mpirun reaches the job's nodes (paths as the launcher sees them).
struct MpiLaunchSettings {
  std::string mpirun = "mpirun";
  std::string agent{};        // --mca plm_rsh_agent: runs a command inside the node named by its IP
  std::string host_file{};    // the hostfile of the job
  std::string interface = "eth0";
};

struct ProcessPlan {
  bool on_mpi_launcher = false;  // mpirun runs beside the nodes and starts ranks in them
  std::size_t node_index = 0;    // index into the job's nodes (ignored on the launcher)
  std::string command;           // /bin/sh command line, already expanded
  std::string stdout_name;       // file names inside the stdouterr directory
  std::string stderr_name;
  JobEnvironment env;            // the job's variables plus this process's own
  // A TensorFlow parameter server serves forever: the job ends when every other process has ended.
  bool waits_for_others = false;
};

class ToolkitLauncher {
 public:
  // Fails (code "JobFailed") when the settings cannot be launched on these nodes.
  static core::Result<std::vector<ProcessPlan>> plan(const model::JobBaseProperties& spec, const JobEnvironment& env,
                                                     const std::vector<LaunchNode>& nodes,
                                                     const MpiLaunchSettings& mpi);

  // The OpenMPI hostfile: one "<ip> slots=<n>" line per node.
  static std::string host_file(const std::vector<LaunchNode>& nodes, int process_count);

  static constexpr int kParameterServerPort = 2222;
  static constexpr int kFirstWorkerPort = 2223;
  static constexpr int kPyTorchPort = 23456;
};

}  // namespace emu::fakes
