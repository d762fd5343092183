#include "fakes/nodes/job_environment.hpp"

#include <cctype>

namespace emu::fakes {

namespace {

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

constexpr std::string_view kPrefix = "AZ_BATCHAI_";

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += sep;
    out += item;
  }
  return out;
}

}  // namespace

std::string shell_quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

const std::string* JobEnvironment::find(std::string_view name) const {
  auto it = vars_.find(name);
  return it == vars_.end() ? nullptr : &it->second;
}

std::string JobEnvironment::expand(std::string_view text) const {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '$') {
      out += text[i++];
      continue;
    }
    const bool braced = i + 1 < text.size() && text[i + 1] == '{';
    const std::size_t start = i + (braced ? 2 : 1);
    std::size_t end = start;
    while (end < text.size() && is_name_char(text[end])) ++end;
    const std::string_view name = text.substr(start, end - start);
    const bool closed = !braced || (end < text.size() && text[end] == '}');
    if (!name.starts_with(kPrefix) || !closed) {
      out += text[i++];
      continue;
    }
    if (const std::string* value = find(name)) out += *value;
    i = end + (braced ? 1 : 0);
  }
  return out;
}

std::vector<std::string> JobEnvironment::to_envp() const {
  std::map<std::string, std::string, std::less<>> all = {
      {"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
      {"HOME", "/root"},
      {"LANG", "C.UTF-8"},
      // Jobs run as root, as on Batch AI nodes; OpenMPI refuses that unless told.
      {"OMPI_ALLOW_RUN_AS_ROOT", "1"},
      {"OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1"},
  };
  for (const auto& [name, value] : vars_) all[name] = value;
  std::vector<std::string> out;
  out.reserve(all.size());
  for (const auto& [name, value] : all) out.push_back(name + "=" + value);
  return out;
}

JobEnvironment JobEnvironment::for_job(const JobEnvironmentInputs& in) {
  JobEnvironment env;
  const std::string ls_root(kNodeLsRoot);
  const std::string jobs_dir = ls_root + "/jobs";
  env.job_temp_ = jobs_dir + "/" + in.job_name;
  env.shared_job_temp_ = env.job_temp_ + "/shared";
  env.job_mount_root_ = env.job_temp_ + "/mounts";
  env.set("AZ_BATCHAI_MOUNT_ROOT", ls_root + "/mounts");
  env.set("AZ_BATCHAI_JOB_MOUNT_ROOT", env.job_mount_root_);
  env.set("AZ_BATCHAI_JOB_TEMP", env.job_temp_);
  env.set("AZ_BATCHAI_JOB_TEMP_DIR", jobs_dir);
  env.set("AZ_BATCHAI_SHARED_JOB_TEMP", env.shared_job_temp_);
  env.set("AZ_BATCHAI_MPI_HOST_FILE", env.job_temp_ + "/hostfile");
  env.set("AZ_BATCHAI_NUM_GPUS", std::to_string(in.gpus_per_node));
  env.set("AZ_BATCHAI_NUM_GPUS_PER_NODE", std::to_string(in.gpus_per_node));
  env.set("AZ_BATCH_HOST_LIST", join(in.node_ips, ","));
  if (in.spec == nullptr) return env;
  const model::JobBaseProperties& spec = *in.spec;

  // The stdout/stderr prefix and the directories may refer to the variables above.
  std::string prefix = env.expand(spec.std_out_err_path_prefix);
  while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
  env.stdouterr_dir_ = prefix + "/" + in.output_path_segment + "/stdouterr";
  env.set("AZ_BATCHAI_STDOUTERR_DIR", env.stdouterr_dir_);
  for (const auto& input : spec.input_directories) env.set("AZ_BATCHAI_INPUT_" + input.id, env.expand(input.path));
  for (const auto& output : spec.output_directories) {
    std::string base = env.expand(output.path_prefix);
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    std::string path = base + "/" + in.output_path_segment + "/outputs";
    if (output.path_suffix && !output.path_suffix->empty()) {
      path += '/';
      path += env.expand(*output.path_suffix);
    }
    env.output_dirs_[output.id] = path;
    env.set("AZ_BATCHAI_OUTPUT_" + output.id, path);
  }
  for (const auto& var : spec.environment_variables) env.set(var.name, env.expand(var.value));
  // Key Vault references cannot be resolved offline: such a secret is set to empty.
  for (const auto& secret : spec.secrets) env.set(secret.name, secret.value.value_or(""));
  return env;
}

}  // namespace emu::fakes
