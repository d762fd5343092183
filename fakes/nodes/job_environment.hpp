#pragma once
// JobEnvironment: the variables a job process (and its jobPreparation) sees on a node, exactly as
// RUNTIME.md lists them, and the `$AZ_BATCHAI_*` expansion the service applied to command lines,
// paths and user values (an undefined reference expands to empty).
//   JobEnvironment env = JobEnvironment::for_job(job_inputs);
//   std::string cmd = env.expand("python $AZ_BATCHAI_INPUT_SCRIPTS/train.py");

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/model/job_types.hpp"

namespace emu::fakes {

// Paths inside a node, laid out like a Batch AI VM (its resource disk is /mnt).
inline constexpr std::string_view kNodeLsRoot = "/mnt/batch/tasks/shared/LS_root";

struct JobEnvironmentInputs {
  std::string job_name;
  std::string output_path_segment;  // {sub}/{rg}/workspaces/{ws}/experiments/{exp}/jobs/{job}/{uuid}
  const model::JobBaseProperties* spec = nullptr;
  std::vector<std::string> node_ips;  // nodes of the job, master first
  int gpus_per_node = 0;
};

class JobEnvironment {
 public:
  static JobEnvironment for_job(const JobEnvironmentInputs& inputs);

  // Replaces $AZ_BATCHAI_NAME and ${AZ_BATCHAI_NAME}; other `$` references stay for the shell.
  std::string expand(std::string_view text) const;
  void set(const std::string& name, std::string value) { vars_[name] = std::move(value); }
  const std::string* find(std::string_view name) const;
  const std::map<std::string, std::string, std::less<>>& variables() const { return vars_; }
  // NAME=value strings, with PATH, HOME and the OpenMPI run-as-root switches every node shell has.
  std::vector<std::string> to_envp() const;

  // Directories of the job inside a node (already expanded).
  const std::string& stdouterr_dir() const { return stdouterr_dir_; }
  const std::string& job_temp() const { return job_temp_; }
  const std::string& shared_job_temp() const { return shared_job_temp_; }
  const std::string& job_mount_root() const { return job_mount_root_; }
  // id -> expanded path of each output directory.
  const std::map<std::string, std::string, std::less<>>& output_dirs() const { return output_dirs_; }

 private:
  std::map<std::string, std::string, std::less<>> vars_;
  std::string stdouterr_dir_;
  std::string job_temp_;
  std::string shared_job_temp_;
  std::string job_mount_root_;
  std::map<std::string, std::string, std::less<>> output_dirs_;
};

// Quotes `text` for /bin/sh: 'it'\''s'.
std::string shell_quote(std::string_view text);

}  // namespace emu::fakes
