#pragma once
// A job as clients create it (JobBaseProperties): where it runs, its container, at most one toolkit,
// its inputs, outputs, environment and constraints. The engine adds the read-only execution state.
//   if (job.tool_type() == ToolType::kTensorFlow) launch_tensorflow(*job.tensor_flow_settings,
//   job.node_count); auto deadline = start + job.constraints.max_wall_clock_time;

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/time.hpp"
#include "emulator/model/common_types.hpp"
#include "emulator/model/enums.hpp"
#include "emulator/model/mount_volumes.hpp"

namespace emu::model {

// Exactly one of password / password_secret_reference is set after parsing.
struct PrivateRegistryCredentials {
  std::string username;
  std::optional<std::string> password;
  std::optional<KeyVaultSecretReference> password_secret_reference;
  bool operator==(const PrivateRegistryCredentials&) const = default;
};

struct ImageSourceRegistry {
  std::optional<std::string> server_url;
  std::string image;
  std::optional<PrivateRegistryCredentials> credentials;
  bool operator==(const ImageSourceRegistry&) const = default;
};

struct ContainerSettings {
  ImageSourceRegistry image_source_registry;
  std::optional<std::string> shm_size;  // docker --shm-size syntax, e.g. "16gb"
  bool operator==(const ContainerSettings&) const = default;
};

// Swagger CNTKsettings. language_type is what the client sent; when absent the parser accepted the job
// because exactly one of config_file_path / python_script_file_path was given, and
// effective_language_type() tells which.
struct CntkSettings {
  std::optional<CntkLanguageType> language_type;
  std::optional<std::string> config_file_path;         // BrainScript only
  std::optional<std::string> python_script_file_path;  // Python only
  std::optional<std::string> python_interpreter_path;  // Python only
  std::optional<std::string> command_line_args;
  std::optional<std::int32_t> process_count;  // default: nodeCount
  CntkLanguageType effective_language_type() const {
    if (language_type) return *language_type;
    return python_script_file_path ? CntkLanguageType::kPython : CntkLanguageType::kBrainScript;
  }
  bool operator==(const CntkSettings&) const = default;
};

struct PyTorchSettings {
  std::string python_script_file_path;
  std::optional<std::string> python_interpreter_path;
  std::optional<std::string> command_line_args;
  std::optional<std::int32_t> process_count;
  std::optional<PyTorchBackend> communication_backend;
  bool operator==(const PyTorchSettings&) const = default;
};

// No counts: one process with master_command_line_args. Distributed: worker_count defaults to
// nodeCount, parameter_server_count to 1 (the engine applies those; the parser keeps what was sent).
struct TensorFlowSettings {
  std::string python_script_file_path;
  std::optional<std::string> python_interpreter_path;
  std::optional<std::string> master_command_line_args;
  std::optional<std::string> worker_command_line_args;
  std::optional<std::string> parameter_server_command_line_args;
  std::optional<std::int32_t> worker_count;
  std::optional<std::int32_t> parameter_server_count;
  bool operator==(const TensorFlowSettings&) const = default;
};

// Exactly one of config_file_path / python_script_file_path is set after parsing.
struct CaffeSettings {
  std::optional<std::string> config_file_path;
  std::optional<std::string> python_script_file_path;
  std::optional<std::string> python_interpreter_path;  // only with python_script_file_path
  std::optional<std::string> command_line_args;
  std::optional<std::int32_t> process_count;
  bool operator==(const CaffeSettings&) const = default;
};

struct Caffe2Settings {
  std::string python_script_file_path;
  std::optional<std::string> python_interpreter_path;
  std::optional<std::string> command_line_args;
  bool operator==(const Caffe2Settings&) const = default;
};

struct ChainerSettings {
  std::string python_script_file_path;
  std::optional<std::string> python_interpreter_path;
  std::optional<std::string> command_line_args;
  std::optional<std::int32_t> process_count;
  bool operator==(const ChainerSettings&) const = default;
};

// Runs on the first node only; a missing command line is allowed by the spec (the job does nothing).
struct CustomToolkitSettings {
  std::optional<std::string> command_line;
  bool operator==(const CustomToolkitSettings&) const = default;
};

struct CustomMpiSettings {
  std::string command_line;
  std::optional<std::int32_t> process_count;
  bool operator==(const CustomMpiSettings&) const = default;
};

struct HorovodSettings {
  std::string python_script_file_path;
  std::optional<std::string> python_interpreter_path;
  std::optional<std::string> command_line_args;
  std::optional<std::int32_t> process_count;
  bool operator==(const HorovodSettings&) const = default;
};

struct JobPreparation {
  std::string command_line;
  bool operator==(const JobPreparation&) const = default;
};

// id becomes the suffix of AZ_BATCHAI_INPUT_<id>, so it is limited to [A-Za-z0-9_].
struct InputDirectory {
  std::string id;
  std::string path;
  bool operator==(const InputDirectory&) const = default;
};

// id becomes the suffix of AZ_BATCHAI_OUTPUT_<id>, so it is limited to [A-Za-z0-9_]; "stdouterr" is
// reserved because listOutputFiles uses it for the job's stdout/stderr directory.
struct OutputDirectory {
  std::string id;
  std::string path_prefix;
  std::optional<std::string> path_suffix;
  bool operator==(const OutputDirectory&) const = default;
};

inline constexpr core::Duration kDefaultMaxWallClockTime = std::chrono::hours(24 * 7);

// The inline `constraints` object of a job. Always present after parsing (spec default 7 days).
struct JobBasePropertiesConstraints {
  core::Duration max_wall_clock_time = kDefaultMaxWallClockTime;
  bool operator==(const JobBasePropertiesConstraints&) const = default;
};

struct JobBaseProperties {
  JobPriority scheduling_priority = JobPriority::kNormal;
  ResourceId cluster;
  std::optional<MountVolumes> mount_volumes;
  std::int32_t node_count = 1;
  std::optional<ContainerSettings> container_settings;
  // At most one toolkit is set (the parser enforces it); none means a custom job with no command line.
  std::optional<CntkSettings> cntk_settings;
  std::optional<PyTorchSettings> py_torch_settings;
  std::optional<TensorFlowSettings> tensor_flow_settings;
  std::optional<CaffeSettings> caffe_settings;
  std::optional<Caffe2Settings> caffe2_settings;
  std::optional<ChainerSettings> chainer_settings;
  std::optional<CustomToolkitSettings> custom_toolkit_settings;
  std::optional<CustomMpiSettings> custom_mpi_settings;
  std::optional<HorovodSettings> horovod_settings;
  std::optional<JobPreparation> job_preparation;
  std::string std_out_err_path_prefix;
  std::vector<InputDirectory> input_directories;
  std::vector<OutputDirectory> output_directories;
  std::vector<EnvironmentVariable> environment_variables;
  std::vector<EnvironmentVariableWithSecretValue> secrets;
  JobBasePropertiesConstraints constraints;

  // Which toolkit launches the job (reported as properties.toolType): the one settings object that is
  // set, pyTorchSettings -> kPyTorch as the live service reported, and kCustom when none is set.
  ToolType tool_type() const;
  bool operator==(const JobBaseProperties&) const = default;
};

}  // namespace emu::model
