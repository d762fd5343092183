#pragma once
// Bodies of PUT and PATCH on a workspace (the only tracked resource: it has location and tags).
// Experiments have no body at all.
//   WorkspaceCreateParameters ws{.location = "eastus", .tags = {{"team", "vision"}}};

#include <map>
#include <optional>
#include <string>

namespace emu::model {

struct WorkspaceCreateParameters {
  std::string location;  // as the client sent it; see normalize_location in resource_name.hpp
  std::map<std::string, std::string> tags;
  bool operator==(const WorkspaceCreateParameters&) const = default;
};

// Absent tags leave the workspace's tags unchanged; an empty object clears them.
struct WorkspaceUpdateParameters {
  std::optional<std::map<std::string, std::string>> tags;
  bool operator==(const WorkspaceUpdateParameters&) const = default;
};

}  // namespace emu::model
