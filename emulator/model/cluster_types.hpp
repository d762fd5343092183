#pragma once
// A cluster as clients create it (ClusterBaseProperties) and patch it (ClusterUpdateProperties), with
// its nested settings. The engine adds the read-only state (allocationState, node counts, errors).
//   if (props.scale_settings.auto_scale)
//   autoscaler.track(props.scale_settings.auto_scale->maximum_node_count); else
//   resize_to(props.scale_settings.manual->target_node_count);

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "emulator/model/common_types.hpp"
#include "emulator/model/enums.hpp"
#include "emulator/model/mount_volumes.hpp"

namespace emu::model {

struct ManualScaleSettings {
  std::int32_t target_node_count = 0;
  DeallocationOption node_deallocation_option = DeallocationOption::kRequeue;
  bool operator==(const ManualScaleSettings&) const = default;
};

// Parser guarantees 0 <= minimum <= maximum and minimum <= initial <= maximum.
struct AutoScaleSettings {
  std::int32_t minimum_node_count = 0;
  std::int32_t maximum_node_count = 0;
  std::int32_t initial_node_count = 0;  // used at creation only
  bool operator==(const AutoScaleSettings&) const = default;
};

// Exactly one of manual / auto_scale is set after parsing.
struct ScaleSettings {
  std::optional<ManualScaleSettings> manual;
  std::optional<AutoScaleSettings> auto_scale;
  bool operator==(const ScaleSettings&) const = default;
};

struct ImageReference {
  std::string publisher;
  std::string offer;
  std::string sku;
  std::optional<std::string> version;
  std::optional<std::string> virtual_machine_image_id;
  bool operator==(const ImageReference&) const = default;
};

struct VirtualMachineConfiguration {
  std::optional<ImageReference> image_reference;
  bool operator==(const VirtualMachineConfiguration&) const = default;
};

struct SetupTask {
  std::string command_line;
  std::vector<EnvironmentVariable> environment_variables;
  std::vector<EnvironmentVariableWithSecretValue> secrets;
  std::string std_out_err_path_prefix;
  std::optional<std::string> std_out_err_path_suffix;  // read-only: the engine sets it
  bool operator==(const SetupTask&) const = default;
};

// Exactly one of instrumentation_key / instrumentation_key_secret_reference is set after parsing.
struct AppInsightsReference {
  ResourceId component;
  std::optional<std::string> instrumentation_key;
  std::optional<KeyVaultSecretReference> instrumentation_key_secret_reference;
  bool operator==(const AppInsightsReference&) const = default;
};

struct PerformanceCountersSettings {
  AppInsightsReference app_insights_reference;
  bool operator==(const PerformanceCountersSettings&) const = default;
};

struct NodeSetup {
  std::optional<SetupTask> setup_task;
  std::optional<MountVolumes> mount_volumes;
  std::optional<PerformanceCountersSettings> performance_counters_settings;
  bool operator==(const NodeSetup&) const = default;
};

// A cluster created without scaleSettings gets manual {targetNodeCount: 0, requeue}: the spec's
// defaults for ManualScaleSettings, so scale_settings is never empty.
struct ClusterBaseProperties {
  std::string vm_size;
  VmPriority vm_priority = VmPriority::kDedicated;
  ScaleSettings scale_settings{.manual = ManualScaleSettings{}, .auto_scale = std::nullopt};
  std::optional<VirtualMachineConfiguration> virtual_machine_configuration;
  std::optional<NodeSetup> node_setup;
  UserAccountSettings user_account_settings;
  std::optional<ResourceId> subnet;
  bool operator==(const ClusterBaseProperties&) const = default;
};

// PATCH body: only scaleSettings can change.
struct ClusterUpdateProperties {
  std::optional<ScaleSettings> scale_settings;
  bool operator==(const ClusterUpdateProperties&) const = default;
};

}  // namespace emu::model
