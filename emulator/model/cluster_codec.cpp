#include "emulator/model/cluster_codec.hpp"

#include <utility>

#include <fmt/format.h>

#include "emulator/model/common_codec.hpp"

namespace emu::model {
namespace {

constexpr std::string_view kVmPriorityValues = "dedicated, lowpriority";
constexpr std::string_view kDeallocationValues = "requeue, terminate, waitforjobcompletion";

void put_optional(boost::json::object& out, std::string_view key, const std::optional<std::string>& value) {
  if (value) out[key] = *value;
}

ManualScaleSettings read_manual(JsonReader reader) {
  ManualScaleSettings out;
  // Required in the swagger but with a default of 0 there too; clients that leave it out mean 0.
  out.target_node_count = reader.int32_or("targetNodeCount", 0, 0);
  out.node_deallocation_option = reader.enum_or("nodeDeallocationOption", parse_deallocation_option,
                                                kDeallocationValues, DeallocationOption::kRequeue);
  return out;
}

AutoScaleSettings read_auto_scale(JsonReader reader) {
  AutoScaleSettings out;
  out.minimum_node_count = reader.required_int32("minimumNodeCount", 0);
  out.maximum_node_count = reader.required_int32("maximumNodeCount", 0);
  out.initial_node_count = reader.int32_or("initialNodeCount", 0, 0);
  if (!reader.ok()) return out;
  if (out.minimum_node_count > out.maximum_node_count) {
    reader.fail_value(
        "minimumNodeCount",
        fmt::format("The value of {} ({}) must not exceed {} ({})", reader.path_of("minimumNodeCount"),
                    out.minimum_node_count, reader.path_of("maximumNodeCount"), out.maximum_node_count));
  } else if (out.initial_node_count > out.maximum_node_count) {
    // Below the minimum is allowed: the default 0 with a minimum of 1 is common, and the autoscaler
    // raises the cluster to the minimum anyway.
    reader.fail_value(
        "initialNodeCount",
        fmt::format("The value of {} ({}) must not exceed {} ({})", reader.path_of("initialNodeCount"),
                    out.initial_node_count, reader.path_of("maximumNodeCount"), out.maximum_node_count));
  }
  return out;
}

ImageReference read_image_reference(JsonReader reader) {
  ImageReference out;
  out.publisher = reader.required_non_empty_string("publisher");
  out.offer = reader.required_non_empty_string("offer");
  out.sku = reader.required_non_empty_string("sku");
  out.version = reader.optional_string("version");
  out.virtual_machine_image_id = reader.optional_string("virtualMachineImageId");
  return out;
}

boost::json::object to_json(const ImageReference& value) {
  boost::json::object out{{"publisher", value.publisher}, {"offer", value.offer}, {"sku", value.sku}};
  put_optional(out, "version", value.version);
  put_optional(out, "virtualMachineImageId", value.virtual_machine_image_id);
  return out;
}

SetupTask read_setup_task(JsonReader reader) {
  SetupTask out;
  out.command_line = reader.required_non_empty_string("commandLine");
  out.environment_variables = read_environment_variables(reader, "environmentVariables");
  out.secrets = read_secrets(reader, "secrets");
  check_distinct_variable_names(reader, out.environment_variables, out.secrets);
  out.std_out_err_path_prefix = reader.required_non_empty_string("stdOutErrPathPrefix");
  out.std_out_err_path_suffix = reader.optional_string("stdOutErrPathSuffix");
  return out;
}

boost::json::object to_json(const SetupTask& value, Visibility visibility) {
  boost::json::object out{{"commandLine", value.command_line}};
  if (!value.environment_variables.empty())
    out["environmentVariables"] = to_json(value.environment_variables);
  if (!value.secrets.empty()) out["secrets"] = to_json(value.secrets, visibility);
  out["stdOutErrPathPrefix"] = value.std_out_err_path_prefix;
  put_optional(out, "stdOutErrPathSuffix", value.std_out_err_path_suffix);
  return out;
}

AppInsightsReference read_app_insights_reference(JsonReader reader) {
  AppInsightsReference out;
  out.component = read_resource_id(reader.required_object("component"));
  out.instrumentation_key = reader.optional_string("instrumentationKey");
  if (auto reference = reader.optional_object("instrumentationKeySecretReference")) {
    out.instrumentation_key_secret_reference = read_key_vault_secret_reference(*reference);
  }
  if (out.instrumentation_key.has_value() == out.instrumentation_key_secret_reference.has_value()) {
    reader.fail(kInvalidPropertyValue,
                fmt::format("The value of {} must have exactly one of instrumentationKey or "
                            "instrumentationKeySecretReference",
                            reader.path()),
                reader.path());
  }
  return out;
}

boost::json::object to_json(const AppInsightsReference& value, Visibility visibility) {
  boost::json::object out{{"component", to_json(value.component)}};
  if (visibility == Visibility::kStored) put_optional(out, "instrumentationKey", value.instrumentation_key);
  if (value.instrumentation_key_secret_reference) {
    out["instrumentationKeySecretReference"] = to_json(*value.instrumentation_key_secret_reference);
  }
  return out;
}

boost::json::object to_json(const NodeSetup& value, Visibility visibility) {
  boost::json::object out;
  if (value.setup_task) out["setupTask"] = to_json(*value.setup_task, visibility);
  if (value.mount_volumes) out["mountVolumes"] = to_json(*value.mount_volumes, visibility);
  if (value.performance_counters_settings) {
    out["performanceCountersSettings"] = boost::json::object{
        {"appInsightsReference",
         to_json(value.performance_counters_settings->app_insights_reference, visibility)}};
  }
  return out;
}

ClusterBaseProperties read_cluster_properties(JsonReader reader) {
  ClusterBaseProperties out;
  out.vm_size = reader.required_non_empty_string("vmSize");
  out.vm_priority =
      reader.enum_or("vmPriority", parse_vm_priority, kVmPriorityValues, VmPriority::kDedicated);
  if (auto scale = reader.optional_object("scaleSettings")) out.scale_settings = read_scale_settings(*scale);
  if (auto vm = reader.optional_object("virtualMachineConfiguration")) {
    VirtualMachineConfiguration configuration;
    if (auto image = vm->optional_object("imageReference"))
      configuration.image_reference = read_image_reference(*image);
    out.virtual_machine_configuration = std::move(configuration);
  }
  if (auto setup = reader.optional_object("nodeSetup")) out.node_setup = read_node_setup(*setup);
  out.user_account_settings = read_user_account_settings(reader.required_object("userAccountSettings"));
  if (auto subnet = reader.optional_object("subnet")) out.subnet = read_resource_id(*subnet);
  return out;
}

}  // namespace

ScaleSettings read_scale_settings(JsonReader reader) {
  ScaleSettings out;
  if (auto manual = reader.optional_object("manual")) out.manual = read_manual(*manual);
  if (auto auto_scale = reader.optional_object("autoScale")) out.auto_scale = read_auto_scale(*auto_scale);
  if (out.manual.has_value() == out.auto_scale.has_value()) {
    reader.fail(kInvalidPropertyValue,
                fmt::format("The value of {} must have exactly one of manual or autoScale", reader.path()),
                reader.path());
  }
  return out;
}

NodeSetup read_node_setup(JsonReader reader) {
  NodeSetup out;
  if (auto task = reader.optional_object("setupTask")) out.setup_task = read_setup_task(*task);
  if (auto volumes = reader.optional_object("mountVolumes")) out.mount_volumes = read_mount_volumes(*volumes);
  if (auto counters = reader.optional_object("performanceCountersSettings")) {
    out.performance_counters_settings = PerformanceCountersSettings{
        read_app_insights_reference(counters->required_object("appInsightsReference"))};
  }
  return out;
}

core::Result<ClusterBaseProperties> parse_cluster_create(const boost::json::value& body) {
  auto root = JsonReader::root(body);
  if (!root) return std::move(root).error();
  ClusterBaseProperties out = read_cluster_properties(root->required_object("properties"));
  if (auto status = root->status(); !status) return std::move(status).error();
  return out;
}

core::Result<ClusterBaseProperties> parse_cluster_properties(const boost::json::object& properties) {
  JsonReader reader(properties, "properties");
  ClusterBaseProperties out = read_cluster_properties(reader);
  if (auto status = reader.status(); !status) return std::move(status).error();
  return out;
}

core::Result<ClusterUpdateProperties> parse_cluster_update(const boost::json::value& body) {
  auto root = JsonReader::root(body);
  if (!root) return std::move(root).error();
  ClusterUpdateProperties out;
  if (auto properties = root->optional_object("properties")) {
    if (auto scale = properties->optional_object("scaleSettings"))
      out.scale_settings = read_scale_settings(*scale);
  }
  if (auto status = root->status(); !status) return std::move(status).error();
  return out;
}

boost::json::object to_json(const ScaleSettings& value) {
  boost::json::object out;
  if (value.manual) {
    out["manual"] =
        boost::json::object{{"targetNodeCount", value.manual->target_node_count},
                            {"nodeDeallocationOption", to_string(value.manual->node_deallocation_option)}};
  }
  if (value.auto_scale) {
    out["autoScale"] = boost::json::object{{"minimumNodeCount", value.auto_scale->minimum_node_count},
                                           {"maximumNodeCount", value.auto_scale->maximum_node_count},
                                           {"initialNodeCount", value.auto_scale->initial_node_count}};
  }
  return out;
}

boost::json::object to_json(const ClusterBaseProperties& value, Visibility visibility) {
  boost::json::object out{{"vmSize", value.vm_size},
                          {"vmPriority", to_string(value.vm_priority)},
                          {"scaleSettings", to_json(value.scale_settings)}};
  if (value.virtual_machine_configuration) {
    boost::json::object vm;
    if (value.virtual_machine_configuration->image_reference) {
      vm["imageReference"] = to_json(*value.virtual_machine_configuration->image_reference);
    }
    out["virtualMachineConfiguration"] = std::move(vm);
  }
  if (value.node_setup) out["nodeSetup"] = to_json(*value.node_setup, visibility);
  out["userAccountSettings"] = to_json(value.user_account_settings, visibility);
  if (value.subnet) out["subnet"] = to_json(*value.subnet);
  return out;
}

boost::json::object to_json(const ClusterUpdateProperties& value, Visibility /*visibility*/) {
  boost::json::object out;
  if (value.scale_settings) out["scaleSettings"] = to_json(*value.scale_settings);
  return out;
}

}  // namespace emu::model
