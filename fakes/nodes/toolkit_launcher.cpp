#include "fakes/nodes/toolkit_launcher.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "fakes/nodes/node_agent_protocol.hpp"

namespace emu::fakes {

namespace {

// The interpreter a toolkit runs scripts with: the client's, else `python`, else Debian's python3.
std::string interpreter(const std::optional<std::string>& path, const JobEnvironment& env) {
  if (path && !path->empty()) return shell_quote(env.expand(*path));
  return "\"$(command -v python || command -v python3)\"";
}

// Appends " <expanded args>" (GCC 12 warns falsely, -Wrestrict, on `" " + std::string&&` at -O2).
void append_arguments(std::string& command, const std::optional<std::string>& args, const JobEnvironment& env) {
  if (!args || args->empty()) return;
  command += ' ';
  command += env.expand(*args);
}

std::string script_command(const std::optional<std::string>& interpreter_path, const std::string& script,
                           const std::optional<std::string>& args, const JobEnvironment& env) {
  std::string cmd = fmt::format("{} {}", interpreter(interpreter_path, env), shell_quote(env.expand(script)));
  append_arguments(cmd, args, env);
  return cmd;
}

std::string single_name(std::string_view stream, std::size_t nodes, std::size_t index) {
  (void)nodes;
  (void)index;
  return fmt::format("{}.txt", stream);
}


core::Error launch_error(std::string message) { return core::Error::bad_request("JobFailed", std::move(message)); }

// mpirun over the job's nodes, merging every rank's output into stdout.txt/stderr.txt.
ProcessPlan mpi_plan(const std::string& rank_command, std::optional<std::int32_t> process_count,
                     const std::vector<LaunchNode>& nodes, const JobEnvironment& env, const MpiLaunchSettings& mpi) {
  const int np = process_count.value_or(static_cast<std::int32_t>(nodes.size()));
  std::string exports;
  for (const auto& [name, value] : env.variables()) {
    // Ranks get the agent that works inside their node from their daemon, not mpirun's host one.
    if (name == kRshAgentVariable) continue;
    exports += " -x ";
    exports += name;
  }
  ProcessPlan p;
  p.on_mpi_launcher = true;
  p.command = fmt::format(
      "exec {} --hostfile {} -np {} --oversubscribe --mca plm_rsh_no_tree_spawn 1 "
      "--mca btl tcp,self --mca btl_tcp_if_include {} --mca oob_tcp_if_include {} --wdir {} -x PATH -x HOME"
      "{} /bin/sh -c {}",
      mpi.mpirun, shell_quote(mpi.host_file), np, mpi.interface, mpi.interface,
      shell_quote(env.job_temp()), exports, shell_quote(rank_command));
  p.stdout_name = "stdout.txt";
  p.stderr_name = "stderr.txt";
  p.env = env;
  // Through the environment, not --mca: mpirun would hand a --mca value on to every orted, which
  // checks that the agent exists inside its node, where the agent is not.
  p.env.set(std::string(kRshAgentVariable), mpi.agent);
  return p;
}

std::string hosts(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

std::string json_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ",\"" : "\"") + items[i] + "\"";
  return out + "]";
}

std::vector<ProcessPlan> tensorflow_plan(const model::TensorFlowSettings& tf, const JobEnvironment& env,
                                         const std::vector<LaunchNode>& nodes) {
  std::vector<ProcessPlan> out;
  if (!tf.worker_count && !tf.parameter_server_count) {
    ProcessPlan p;
    p.command = script_command(tf.python_interpreter_path, tf.python_script_file_path, tf.master_command_line_args, env);
    p.stdout_name = "stdout.txt";
    p.stderr_name = "stderr.txt";
    p.env = env;
    out.push_back(std::move(p));
    return out;
  }
  const std::size_t n = nodes.size();
  const int workers = tf.worker_count.value_or(static_cast<std::int32_t>(n));
  const int ps = tf.parameter_server_count.value_or(1);
  std::vector<std::string> worker_hosts;
  std::vector<std::string> ps_hosts;
  for (int i = 0; i < workers; ++i) {
    const std::size_t node = static_cast<std::size_t>(i) % n;
    worker_hosts.push_back(
        fmt::format("{}:{}", nodes[node].ip, ToolkitLauncher::kFirstWorkerPort + i / static_cast<int>(n)));
  }
  for (int i = 0; i < ps; ++i) {
    ps_hosts.push_back(fmt::format("{}:{}", nodes[static_cast<std::size_t>(i) % n].ip,
                                   ToolkitLauncher::kParameterServerPort));
  }
  const std::string cluster =
      fmt::format("{{\"ps\":{},\"worker\":{}}}", json_list(ps_hosts), json_list(worker_hosts));
  auto add = [&](std::string_view type, int index, std::size_t node, const std::optional<std::string>& args,
                 std::string_view file_tag) {
    ProcessPlan p;
    p.node_index = node;
    p.env = env;
    p.env.set("AZ_BATCHAI_TASK_INDEX", std::to_string(index));
    p.env.set("AZ_BATCHAI_PS_HOSTS", hosts(ps_hosts));
    p.env.set("AZ_BATCHAI_WORKER_HOSTS", hosts(worker_hosts));
    p.env.set("TF_CONFIG", fmt::format(R"({{"cluster":{},"task":{{"type":"{}","index":{}}},"environment":"cloud"}})",
                                       cluster, type, index));
    p.command = script_command(tf.python_interpreter_path, tf.python_script_file_path, args, p.env);
    p.stdout_name = fmt::format("stdout-{}-{}.txt", file_tag, index);
    p.stderr_name = fmt::format("stderr-{}-{}.txt", file_tag, index);
    p.waits_for_others = type == "ps";
    out.push_back(std::move(p));
  };
  for (int i = 0; i < ps; ++i) {
    add("ps", i, static_cast<std::size_t>(i) % n, tf.parameter_server_command_line_args, "ps");
  }
  for (int i = 0; i < workers; ++i) {
    add(i == 0 ? "master" : "worker", i, static_cast<std::size_t>(i) % n,
        i == 0 ? tf.master_command_line_args : tf.worker_command_line_args, "wk");
  }
  return out;
}

// PyTorch and Caffe2: one process per node, the rank in AZ_BATCHAI_TASK_INDEX.
std::vector<ProcessPlan> per_node_plan(const std::optional<std::string>& interpreter_path, const std::string& script,
                                       const std::optional<std::string>& args, const JobEnvironment& env,
                                       const std::vector<LaunchNode>& nodes, bool pytorch) {
  std::vector<ProcessPlan> out;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    ProcessPlan p;
    p.node_index = i;
    p.env = env;
    p.env.set("AZ_BATCHAI_TASK_INDEX", std::to_string(i));
    if (pytorch) {
      p.env.set("AZ_BATCHAI_PYTORCH_INIT_METHOD", "file://" + env.shared_job_temp() + "/pytorch_init");
      p.env.set("AZ_BATCHAI_PYTORCH_MASTER_ADDR", nodes[0].ip);
      p.env.set("AZ_BATCHAI_PYTORCH_MASTER_PORT", std::to_string(ToolkitLauncher::kPyTorchPort));
    }
    p.command = script_command(interpreter_path, script, args, p.env);
    p.stdout_name = fmt::format("stdout-{}.txt", i);
    p.stderr_name = fmt::format("stderr-{}.txt", i);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

std::string ToolkitLauncher::host_file(const std::vector<LaunchNode>& nodes, int process_count) {
  const int n = std::max<int>(1, static_cast<int>(nodes.size()));
  const int slots = std::max(1, (process_count + n - 1) / n);
  std::string out;
  for (const auto& node : nodes) out += fmt::format("{} slots={}\n", node.ip, slots);
  return out;
}

core::Result<std::vector<ProcessPlan>> ToolkitLauncher::plan(const model::JobBaseProperties& spec,
                                                             const JobEnvironment& env,
                                                             const std::vector<LaunchNode>& nodes,
                                                             const MpiLaunchSettings& mpi) {
  if (nodes.empty()) return launch_error("The job has no nodes to run on");
  std::vector<ProcessPlan> out;
  auto first_node = [&](std::string command) {
    ProcessPlan p;
    p.command = std::move(command);
    p.stdout_name = single_name("stdout", nodes.size(), 0);
    p.stderr_name = single_name("stderr", nodes.size(), 0);
    p.env = env;
    out.push_back(std::move(p));
  };
  if (spec.custom_toolkit_settings) {
    first_node(env.expand(spec.custom_toolkit_settings->command_line.value_or("true")));
  } else if (spec.custom_mpi_settings) {
    out.push_back(mpi_plan(env.expand(spec.custom_mpi_settings->command_line),
                           spec.custom_mpi_settings->process_count, nodes, env, mpi));
  } else if (spec.horovod_settings) {
    const auto& s = *spec.horovod_settings;
    out.push_back(mpi_plan(script_command(s.python_interpreter_path, s.python_script_file_path, s.command_line_args, env),
                           s.process_count, nodes, env, mpi));
  } else if (spec.chainer_settings) {
    const auto& s = *spec.chainer_settings;
    out.push_back(mpi_plan(script_command(s.python_interpreter_path, s.python_script_file_path, s.command_line_args, env),
                           s.process_count, nodes, env, mpi));
  } else if (spec.cntk_settings) {
    const auto& s = *spec.cntk_settings;
    std::string cmd;
    if (s.effective_language_type() == model::CntkLanguageType::kPython) {
      cmd = script_command(s.python_interpreter_path, s.python_script_file_path.value_or(""), s.command_line_args, env);
    } else {
      cmd = fmt::format("cntk configFile={}", shell_quote(env.expand(s.config_file_path.value_or(""))));
      append_arguments(cmd, s.command_line_args, env);
    }
    out.push_back(mpi_plan(cmd, s.process_count, nodes, env, mpi));
  } else if (spec.caffe_settings) {
    const auto& s = *spec.caffe_settings;
    std::string cmd;
    if (s.python_script_file_path) {
      cmd = script_command(s.python_interpreter_path, *s.python_script_file_path, s.command_line_args, env);
    } else {
      cmd = fmt::format("caffe train --solver={}", shell_quote(env.expand(s.config_file_path.value_or(""))));
      append_arguments(cmd, s.command_line_args, env);
    }
    out.push_back(mpi_plan(cmd, s.process_count, nodes, env, mpi));
  } else if (spec.tensor_flow_settings) {
    out = tensorflow_plan(*spec.tensor_flow_settings, env, nodes);
  } else if (spec.py_torch_settings) {
    const auto& s = *spec.py_torch_settings;
    out = per_node_plan(s.python_interpreter_path, s.python_script_file_path, s.command_line_args, env, nodes, true);
  } else if (spec.caffe2_settings) {
    const auto& s = *spec.caffe2_settings;
    out = per_node_plan(s.python_interpreter_path, s.python_script_file_path, s.command_line_args, env, nodes, false);
  } else {
    first_node("true");  // no toolkit: a custom job without a command line does nothing
  }
  return out;
}

}  // namespace emu::fakes
