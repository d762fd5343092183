#pragma once
// Checks of the names that appear in resource URLs, as the spec's path parameters define them.
// Each returns a bad_request core::Error whose message names what is wrong.
//   if (auto r = validate_resource_name(name, "cluster"); !r) return r.error();
//   normalize_location("East US") == "eastus";

#include <string>
#include <string_view>

#include "emulator/core/result.hpp"

namespace emu::model {

inline constexpr std::size_t kMaxResourceNameLength = 64;
inline constexpr std::size_t kMaxResourceGroupNameLength = 90;

// Workspace, experiment, cluster, job and file server names: ^[-\w_]+$ (ASCII letters, digits, '-' and
// '_'), 1-64 characters. `what` is the kind of resource ("workspace", "job") for the message.
// Error code InvalidResourceName, target `what` + "Name" (e.g. "clusterName").
core::Result<void> validate_resource_name(std::string_view name, std::string_view what);

// ^[-\w\._]+$, 1-90 characters. Error code InvalidResourceGroupName, target resourceGroupName.
core::Result<void> validate_resource_group_name(std::string_view name);

// A location as used in URLs (usages): ^[-\w\._]+$, 1-90 characters. Error code InvalidLocation,
// target location.
core::Result<void> validate_location(std::string_view location);

// ARM's canonical location name: lower case without spaces ("West Europe" -> "westeurope").
std::string normalize_location(std::string_view location);

}  // namespace emu::model
