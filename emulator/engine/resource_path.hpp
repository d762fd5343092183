#pragma once
// ResourcePath: where a Batch AI resource lives (subscription, resource group, workspace, experiment,
// name), with its ARM id, its `type` string and a lower-cased key. ARM names are case-insensitive:
// the key finds a resource whatever the casing, while the id keeps the casing it was created with.
//   auto p = ResourcePath::cluster("sub", "rg", "ws", "c1");
//   p.arm_id();  // /subscriptions/sub/resourceGroups/rg/providers/Microsoft.BatchAI/workspaces/ws/clusters/c1

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace emu::engine {

enum class ResourceType { kWorkspace, kExperiment, kJob, kCluster, kFileServer };

struct ResourcePath {
  ResourceType type = ResourceType::kWorkspace;
  std::string subscription;
  std::string resource_group;
  std::string workspace;
  std::string experiment;  // jobs and experiments only
  std::string name;        // the resource's own name (== workspace for a workspace)

  static ResourcePath workspace_path(std::string sub, std::string rg, std::string ws);
  static ResourcePath experiment_path(std::string sub, std::string rg, std::string ws, std::string exp);
  static ResourcePath job(std::string sub, std::string rg, std::string ws, std::string exp, std::string name);
  static ResourcePath cluster(std::string sub, std::string rg, std::string ws, std::string name);
  static ResourcePath file_server(std::string sub, std::string rg, std::string ws, std::string name);

  // Reads an ARM id of a Batch AI resource (segments compared case-insensitively); nullopt if it is none.
  static std::optional<ResourcePath> parse_arm_id(std::string_view id);

  // The parent workspace / experiment of this resource.
  ResourcePath workspace_of() const;
  ResourcePath experiment_of() const;

  // Full ARM id, as the live service spelled it (lower-case "fileservers").
  std::string arm_id() const;
  // Lower-cased ARM id: the key in the engine's maps and in the store.
  std::string key() const;
  // `{sub}${rg}${ws}[${exp}]${name}`: the resourceId of a finished operation's status.
  std::string dollar_id() const;
  // "Microsoft.BatchAI/workspaces/clusters" and the like.
  std::string_view type_name() const;
  // "workspace", "cluster", ... for messages.
  std::string_view noun() const;
};

std::string to_lower(std::string_view text);

// Key prefixes for listing children: every key of that kind under the parent starts with these.
std::string workspaces_prefix(std::string_view subscription);
std::string workspaces_prefix(std::string_view subscription, std::string_view resource_group);
std::string children_prefix(const ResourcePath& parent, ResourceType child);

}  // namespace emu::engine
