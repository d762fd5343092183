#include "emulator/model/job_codec.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "emulator/model/common_codec.hpp"
#include "emulator/model/json_reader.hpp"

namespace emu::model {
namespace {

constexpr std::string_view kJobPriorityValues = "low, normal, high";
constexpr std::string_view kLanguageValues = "BrainScript, Python";
constexpr std::string_view kBackendValues = "TCP, Gloo, MPI";
// listOutputFiles uses this id for the job's stdout/stderr directory.
constexpr std::string_view kStdOutErrDirectoryId = "stdouterr";

void put_optional(boost::json::object& out, std::string_view key, const std::optional<std::string>& value) {
  if (value) out[key] = *value;
}
void put_optional(boost::json::object& out, std::string_view key, const std::optional<std::int32_t>& value) {
  if (value) out[key] = *value;
}

std::optional<std::int32_t> read_process_count(JsonReader& reader) {
  return reader.optional_int32("processCount", 1);
}

// Rejects a member that the other settings of the object rule out.
void forbid(JsonReader& reader, std::string_view key, bool present, std::string_view reason) {
  if (present) {
    reader.fail_value(key,
                      fmt::format("The property {} cannot be specified {}", reader.path_of(key), reason));
  }
}

PrivateRegistryCredentials read_registry_credentials(JsonReader reader) {
  PrivateRegistryCredentials out;
  out.username = reader.required_non_empty_string("username");
  out.password = reader.optional_string("password");
  if (auto reference = reader.optional_object("passwordSecretReference")) {
    out.password_secret_reference = read_key_vault_secret_reference(*reference);
  }
  if (out.password.has_value() == out.password_secret_reference.has_value()) {
    reader.fail(kInvalidPropertyValue,
                fmt::format("The value of {} must have exactly one of password or passwordSecretReference",
                            reader.path()),
                reader.path());
  }
  return out;
}

ContainerSettings read_container_settings(JsonReader reader) {
  ContainerSettings out;
  JsonReader registry = reader.required_object("imageSourceRegistry");
  out.image_source_registry.server_url = registry.optional_string("serverUrl");
  out.image_source_registry.image = registry.required_non_empty_string("image");
  if (auto credentials = registry.optional_object("credentials")) {
    out.image_source_registry.credentials = read_registry_credentials(*credentials);
  }
  out.shm_size = reader.optional_string("shmSize");
  return out;
}

boost::json::object to_json(const ContainerSettings& value, Visibility visibility) {
  const ImageSourceRegistry& registry = value.image_source_registry;
  boost::json::object registry_json;
  put_optional(registry_json, "serverUrl", registry.server_url);
  registry_json["image"] = registry.image;
  if (registry.credentials) {
    boost::json::object credentials{{"username", registry.credentials->username}};
    if (visibility == Visibility::kStored)
      put_optional(credentials, "password", registry.credentials->password);
    if (registry.credentials->password_secret_reference) {
      credentials["passwordSecretReference"] = to_json(*registry.credentials->password_secret_reference);
    }
    registry_json["credentials"] = std::move(credentials);
  }
  boost::json::object out{{"imageSourceRegistry", std::move(registry_json)}};
  put_optional(out, "shmSize", value.shm_size);
  return out;
}

CntkSettings read_cntk(JsonReader reader) {
  CntkSettings out;
  out.language_type = reader.optional_enum("languageType", parse_cntk_language_type, kLanguageValues);
  out.config_file_path = reader.optional_string("configFilePath");
  out.python_script_file_path = reader.optional_string("pythonScriptFilePath");
  out.python_interpreter_path = reader.optional_string("pythonInterpreterPath");
  out.command_line_args = reader.optional_string("commandLineArgs");
  out.process_count = read_process_count(reader);
  if (!reader.ok()) return out;
  if (!out.language_type) {
    // The recipes leave languageType out and give only the file that fits the language.
    if (out.config_file_path.has_value() == out.python_script_file_path.has_value()) {
      reader.fail(kInvalidPropertyValue,
                  fmt::format("The value of {} must have exactly one of configFilePath (BrainScript) or "
                              "pythonScriptFilePath (Python) when languageType is not given",
                              reader.path()),
                  reader.path());
    }
  } else if (*out.language_type == CntkLanguageType::kBrainScript) {
    if (!out.config_file_path) reader.fail_missing("configFilePath");
    forbid(reader, "pythonScriptFilePath", out.python_script_file_path.has_value(),
           "when languageType is BrainScript");
    forbid(reader, "pythonInterpreterPath", out.python_interpreter_path.has_value(),
           "when languageType is BrainScript");
  } else {
    if (!out.python_script_file_path) reader.fail_missing("pythonScriptFilePath");
    forbid(reader, "configFilePath", out.config_file_path.has_value(), "when languageType is Python");
  }
  if (out.effective_language_type() == CntkLanguageType::kBrainScript) {
    forbid(reader, "pythonInterpreterPath", out.python_interpreter_path.has_value(), "for BrainScript");
  }
  return out;
}

boost::json::object to_json(const CntkSettings& value) {
  boost::json::object out;
  if (value.language_type) out["languageType"] = to_string(*value.language_type);
  put_optional(out, "configFilePath", value.config_file_path);
  put_optional(out, "pythonScriptFilePath", value.python_script_file_path);
  put_optional(out, "pythonInterpreterPath", value.python_interpreter_path);
  put_optional(out, "commandLineArgs", value.command_line_args);
  put_optional(out, "processCount", value.process_count);
  return out;
}

PyTorchSettings read_py_torch(JsonReader reader) {
  PyTorchSettings out;
  out.python_script_file_path = reader.required_non_empty_string("pythonScriptFilePath");
  out.python_interpreter_path = reader.optional_string("pythonInterpreterPath");
  out.command_line_args = reader.optional_string("commandLineArgs");
  out.process_count = read_process_count(reader);
  out.communication_backend =
      reader.optional_enum("communicationBackend", parse_py_torch_backend, kBackendValues);
  return out;
}

boost::json::object to_json(const PyTorchSettings& value) {
  boost::json::object out{{"pythonScriptFilePath", value.python_script_file_path}};
  put_optional(out, "pythonInterpreterPath", value.python_interpreter_path);
  put_optional(out, "commandLineArgs", value.command_line_args);
  put_optional(out, "processCount", value.process_count);
  if (value.communication_backend) out["communicationBackend"] = to_string(*value.communication_backend);
  return out;
}

TensorFlowSettings read_tensor_flow(JsonReader reader, std::int32_t node_count) {
  TensorFlowSettings out;
  out.python_script_file_path = reader.required_non_empty_string("pythonScriptFilePath");
  out.python_interpreter_path = reader.optional_string("pythonInterpreterPath");
  out.master_command_line_args = reader.optional_string("masterCommandLineArgs");
  out.worker_command_line_args = reader.optional_string("workerCommandLineArgs");
  out.parameter_server_command_line_args = reader.optional_string("parameterServerCommandLineArgs");
  out.worker_count = reader.optional_int32("workerCount", 1);
  // The spec bounds it by nodeCount: parameter servers share the job's nodes, one per node.
  out.parameter_server_count = reader.optional_int32("parameterServerCount", 0, std::max(node_count, 0));
  return out;
}

boost::json::object to_json(const TensorFlowSettings& value) {
  boost::json::object out{{"pythonScriptFilePath", value.python_script_file_path}};
  put_optional(out, "pythonInterpreterPath", value.python_interpreter_path);
  put_optional(out, "masterCommandLineArgs", value.master_command_line_args);
  put_optional(out, "workerCommandLineArgs", value.worker_command_line_args);
  put_optional(out, "parameterServerCommandLineArgs", value.parameter_server_command_line_args);
  put_optional(out, "workerCount", value.worker_count);
  put_optional(out, "parameterServerCount", value.parameter_server_count);
  return out;
}

CaffeSettings read_caffe(JsonReader reader) {
  CaffeSettings out;
  out.config_file_path = reader.optional_string("configFilePath");
  out.python_script_file_path = reader.optional_string("pythonScriptFilePath");
  out.python_interpreter_path = reader.optional_string("pythonInterpreterPath");
  out.command_line_args = reader.optional_string("commandLineArgs");
  out.process_count = read_process_count(reader);
  if (!reader.ok()) return out;
  if (out.config_file_path.has_value() == out.python_script_file_path.has_value()) {
    reader.fail(kInvalidPropertyValue,
                fmt::format("The value of {} must have exactly one of configFilePath or pythonScriptFilePath",
                            reader.path()),
                reader.path());
  }
  forbid(reader, "pythonInterpreterPath", out.python_interpreter_path && !out.python_script_file_path,
         "without pythonScriptFilePath");
  return out;
}

boost::json::object to_json(const CaffeSettings& value) {
  boost::json::object out;
  put_optional(out, "configFilePath", value.config_file_path);
  put_optional(out, "pythonScriptFilePath", value.python_script_file_path);
  put_optional(out, "pythonInterpreterPath", value.python_interpreter_path);
  put_optional(out, "commandLineArgs", value.command_line_args);
  put_optional(out, "processCount", value.process_count);
  return out;
}

Caffe2Settings read_caffe2(JsonReader reader) {
  Caffe2Settings out;
  out.python_script_file_path = reader.required_non_empty_string("pythonScriptFilePath");
  out.python_interpreter_path = reader.optional_string("pythonInterpreterPath");
  out.command_line_args = reader.optional_string("commandLineArgs");
  return out;
}

boost::json::object to_json(const Caffe2Settings& value) {
  boost::json::object out{{"pythonScriptFilePath", value.python_script_file_path}};
  put_optional(out, "pythonInterpreterPath", value.python_interpreter_path);
  put_optional(out, "commandLineArgs", value.command_line_args);
  return out;
}

// Chainer and Horovod settings have the same members.
template <typename Settings>
Settings read_python_mpi(JsonReader reader) {
  Settings out;
  out.python_script_file_path = reader.required_non_empty_string("pythonScriptFilePath");
  out.python_interpreter_path = reader.optional_string("pythonInterpreterPath");
  out.command_line_args = reader.optional_string("commandLineArgs");
  out.process_count = read_process_count(reader);
  return out;
}

template <typename Settings>
boost::json::object python_mpi_to_json(const Settings& value) {
  boost::json::object out{{"pythonScriptFilePath", value.python_script_file_path}};
  put_optional(out, "pythonInterpreterPath", value.python_interpreter_path);
  put_optional(out, "commandLineArgs", value.command_line_args);
  put_optional(out, "processCount", value.process_count);
  return out;
}

// Input and output directory ids end up in environment variable names (AZ_BATCHAI_INPUT_<id>).
bool is_directory_id(std::string_view id) {
  if (id.empty()) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string read_directory_id(JsonReader& item, std::set<std::string>& seen, std::string_view list) {
  std::string id = item.required_string("id");
  if (!item.ok()) return id;
  if (!is_directory_id(id)) {
    item.fail_value("id",
                    fmt::format("The value of {} must be 1 or more letters, digits or '_' (it becomes part "
                                "of an environment variable name); got \"{}\"",
                                item.path_of("id"), id));
  } else if (!seen.insert(id).second) {
    item.fail_value("id", fmt::format("The id {} is used twice in {}", id, list));
  }
  return id;
}

JobBaseProperties read_job_properties(JsonReader reader) {
  JobBaseProperties out;
  out.scheduling_priority =
      reader.enum_or("schedulingPriority", parse_job_priority, kJobPriorityValues, JobPriority::kNormal);
  out.cluster = read_resource_id(reader.required_object("cluster"));
  if (auto volumes = reader.optional_object("mountVolumes")) out.mount_volumes = read_mount_volumes(*volumes);
  out.node_count = reader.required_int32("nodeCount", 1);
  if (auto container = reader.optional_object("containerSettings")) {
    out.container_settings = read_container_settings(*container);
  }

  // At most one toolkit: the first one found is kept for the message naming both.
  std::optional<std::string_view> toolkit;
  auto claim_toolkit = [&](std::string_view key) {
    if (!reader.has(key)) return false;
    if (toolkit) {
      reader.fail_value(key, fmt::format("A job can use only one toolkit; got {} and {}",
                                         reader.path_of(*toolkit), reader.path_of(key)));
    }
    toolkit = key;
    return true;
  };
  if (claim_toolkit("cntkSettings")) out.cntk_settings = read_cntk(reader.required_object("cntkSettings"));
  if (claim_toolkit("pyTorchSettings"))
    out.py_torch_settings = read_py_torch(reader.required_object("pyTorchSettings"));
  if (claim_toolkit("tensorFlowSettings")) {
    out.tensor_flow_settings = read_tensor_flow(reader.required_object("tensorFlowSettings"), out.node_count);
  }
  if (claim_toolkit("caffeSettings"))
    out.caffe_settings = read_caffe(reader.required_object("caffeSettings"));
  if (claim_toolkit("caffe2Settings"))
    out.caffe2_settings = read_caffe2(reader.required_object("caffe2Settings"));
  if (claim_toolkit("chainerSettings")) {
    out.chainer_settings = read_python_mpi<ChainerSettings>(reader.required_object("chainerSettings"));
  }
  if (claim_toolkit("customToolkitSettings")) {
    out.custom_toolkit_settings =
        CustomToolkitSettings{reader.required_object("customToolkitSettings").optional_string("commandLine")};
  }
  if (claim_toolkit("customMpiSettings")) {
    JsonReader mpi = reader.required_object("customMpiSettings");
    CustomMpiSettings settings;
    settings.command_line = mpi.required_non_empty_string("commandLine");
    settings.process_count = read_process_count(mpi);
    out.custom_mpi_settings = std::move(settings);
  }
  if (claim_toolkit("horovodSettings")) {
    out.horovod_settings = read_python_mpi<HorovodSettings>(reader.required_object("horovodSettings"));
  }

  if (auto preparation = reader.optional_object("jobPreparation")) {
    out.job_preparation = JobPreparation{preparation->required_non_empty_string("commandLine")};
  }
  out.std_out_err_path_prefix = reader.required_non_empty_string("stdOutErrPathPrefix");

  std::set<std::string> input_ids;
  for (JsonReader item : reader.object_array("inputDirectories")) {
    InputDirectory directory;
    directory.id = read_directory_id(item, input_ids, reader.path_of("inputDirectories"));
    directory.path = item.required_non_empty_string("path");
    out.input_directories.push_back(std::move(directory));
  }
  std::set<std::string> output_ids;
  for (JsonReader item : reader.object_array("outputDirectories")) {
    OutputDirectory directory;
    directory.id = read_directory_id(item, output_ids, reader.path_of("outputDirectories"));
    if (iequals(directory.id, kStdOutErrDirectoryId)) {
      item.fail_value("id",
                      fmt::format("The id {} of {} is reserved for the job's stdout and stderr directory",
                                  directory.id, item.path()));
    }
    directory.path_prefix = item.required_non_empty_string("pathPrefix");
    directory.path_suffix = item.optional_string("pathSuffix");
    out.output_directories.push_back(std::move(directory));
  }

  out.environment_variables = read_environment_variables(reader, "environmentVariables");
  out.secrets = read_secrets(reader, "secrets");
  check_distinct_variable_names(reader, out.environment_variables, out.secrets);

  if (auto constraints = reader.optional_object("constraints")) {
    if (auto wall_clock = constraints->optional_duration("maxWallClockTime")) {
      if (wall_clock->count() <= 0) {
        constraints->fail_value("maxWallClockTime", fmt::format("The value of {} must be a positive duration",
                                                                constraints->path_of("maxWallClockTime")));
      }
      out.constraints.max_wall_clock_time = *wall_clock;
    }
  }
  return out;
}

}  // namespace

core::Result<JobBaseProperties> parse_job_create(const boost::json::value& body) {
  auto root = JsonReader::root(body);
  if (!root) return std::move(root).error();
  JobBaseProperties out = read_job_properties(root->required_object("properties"));
  if (auto status = root->status(); !status) return std::move(status).error();
  return out;
}

core::Result<JobBaseProperties> parse_job_properties(const boost::json::object& properties) {
  JsonReader reader(properties, "properties");
  JobBaseProperties out = read_job_properties(reader);
  if (auto status = reader.status(); !status) return std::move(status).error();
  return out;
}

boost::json::object to_json(const JobBaseProperties& value, Visibility visibility) {
  boost::json::object out{{"schedulingPriority", to_string(value.scheduling_priority)},
                          {"cluster", to_json(value.cluster)}};
  if (value.mount_volumes) out["mountVolumes"] = to_json(*value.mount_volumes, visibility);
  out["nodeCount"] = value.node_count;
  if (value.container_settings) out["containerSettings"] = to_json(*value.container_settings, visibility);
  out["toolType"] = to_string(value.tool_type());
  if (value.cntk_settings) out["cntkSettings"] = to_json(*value.cntk_settings);
  if (value.py_torch_settings) out["pyTorchSettings"] = to_json(*value.py_torch_settings);
  if (value.tensor_flow_settings) out["tensorFlowSettings"] = to_json(*value.tensor_flow_settings);
  if (value.caffe_settings) out["caffeSettings"] = to_json(*value.caffe_settings);
  if (value.caffe2_settings) out["caffe2Settings"] = to_json(*value.caffe2_settings);
  if (value.chainer_settings) out["chainerSettings"] = python_mpi_to_json(*value.chainer_settings);
  if (value.custom_toolkit_settings) {
    boost::json::object custom;
    put_optional(custom, "commandLine", value.custom_toolkit_settings->command_line);
    out["customToolkitSettings"] = std::move(custom);
  }
  if (value.custom_mpi_settings) {
    boost::json::object mpi{{"commandLine", value.custom_mpi_settings->command_line}};
    put_optional(mpi, "processCount", value.custom_mpi_settings->process_count);
    out["customMpiSettings"] = std::move(mpi);
  }
  if (value.horovod_settings) out["horovodSettings"] = python_mpi_to_json(*value.horovod_settings);
  if (value.job_preparation) {
    out["jobPreparation"] = boost::json::object{{"commandLine", value.job_preparation->command_line}};
  }
  out["stdOutErrPathPrefix"] = value.std_out_err_path_prefix;
  if (!value.input_directories.empty()) {
    boost::json::array items;
    for (const auto& directory : value.input_directories) {
      items.push_back(boost::json::object{{"id", directory.id}, {"path", directory.path}});
    }
    out["inputDirectories"] = std::move(items);
  }
  if (!value.output_directories.empty()) {
    boost::json::array items;
    for (const auto& directory : value.output_directories) {
      boost::json::object item{{"id", directory.id}, {"pathPrefix", directory.path_prefix}};
      put_optional(item, "pathSuffix", directory.path_suffix);
      items.push_back(std::move(item));
    }
    out["outputDirectories"] = std::move(items);
  }
  if (!value.environment_variables.empty())
    out["environmentVariables"] = to_json(value.environment_variables);
  if (!value.secrets.empty()) out["secrets"] = to_json(value.secrets, visibility);
  out["constraints"] =
      boost::json::object{{"maxWallClockTime", core::format_duration(value.constraints.max_wall_clock_time)}};
  return out;
}

}  // namespace emu::model
