#include "emulator/engine/resource_path.hpp"


namespace emu::engine {

std::string to_lower(std::string_view text) {
  // ASCII only, without the locale: ARM names are ASCII, and this runs on every lookup.
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
  return out;
}

ResourcePath ResourcePath::workspace_path(std::string sub, std::string rg, std::string ws) {
  ResourcePath p;
  p.type = ResourceType::kWorkspace;
  p.subscription = std::move(sub);
  p.resource_group = std::move(rg);
  p.name = ws;
  p.workspace = std::move(ws);
  return p;
}

ResourcePath ResourcePath::experiment_path(std::string sub, std::string rg, std::string ws, std::string exp) {
  ResourcePath p = workspace_path(std::move(sub), std::move(rg), std::move(ws));
  p.type = ResourceType::kExperiment;
  p.name = exp;
  p.experiment = std::move(exp);
  return p;
}

ResourcePath ResourcePath::job(std::string sub, std::string rg, std::string ws, std::string exp,
                               std::string name) {
  ResourcePath p = experiment_path(std::move(sub), std::move(rg), std::move(ws), std::move(exp));
  p.type = ResourceType::kJob;
  p.name = std::move(name);
  return p;
}

ResourcePath ResourcePath::cluster(std::string sub, std::string rg, std::string ws, std::string name) {
  ResourcePath p = workspace_path(std::move(sub), std::move(rg), std::move(ws));
  p.type = ResourceType::kCluster;
  p.name = std::move(name);
  return p;
}

ResourcePath ResourcePath::file_server(std::string sub, std::string rg, std::string ws, std::string name) {
  ResourcePath p = cluster(std::move(sub), std::move(rg), std::move(ws), std::move(name));
  p.type = ResourceType::kFileServer;
  return p;
}

std::optional<ResourcePath> ResourcePath::parse_arm_id(std::string_view id) {
  std::vector<std::string> seg;
  while (!id.empty()) {
    const auto slash = id.find('/');
    if (slash != 0) seg.emplace_back(id.substr(0, slash));
    if (slash == std::string_view::npos) break;
    id.remove_prefix(slash + 1);
  }
  auto is = [&](std::size_t i, std::string_view word) { return i < seg.size() && to_lower(seg[i]) == word; };
  if (seg.size() < 8 || !is(0, "subscriptions") || !is(2, "resourcegroups") || !is(4, "providers") ||
      !is(5, "microsoft.batchai") || !is(6, "workspaces")) {
    return std::nullopt;
  }
  ResourcePath ws = workspace_path(seg[1], seg[3], seg[7]);
  if (seg.size() == 8) return ws;
  if (seg.size() == 10 && is(8, "clusters")) return cluster(seg[1], seg[3], seg[7], seg[9]);
  if (seg.size() == 10 && is(8, "fileservers")) return file_server(seg[1], seg[3], seg[7], seg[9]);
  if (seg.size() == 10 && is(8, "experiments")) return experiment_path(seg[1], seg[3], seg[7], seg[9]);
  if (seg.size() == 12 && is(8, "experiments") && is(10, "jobs")) return job(seg[1], seg[3], seg[7], seg[9], seg[11]);
  return std::nullopt;
}

ResourcePath ResourcePath::workspace_of() const { return workspace_path(subscription, resource_group, workspace); }

ResourcePath ResourcePath::experiment_of() const {
  return experiment_path(subscription, resource_group, workspace, experiment);
}

std::string ResourcePath::arm_id() const {
  std::string id = "/subscriptions/" + subscription + "/resourceGroups/" + resource_group +
                   "/providers/Microsoft.BatchAI/workspaces/" + workspace;
  switch (type) {
    case ResourceType::kWorkspace: break;
    case ResourceType::kExperiment: id += "/experiments/" + experiment; break;
    case ResourceType::kJob: id += "/experiments/" + experiment + "/jobs/" + name; break;
    case ResourceType::kCluster: id += "/clusters/" + name; break;
    case ResourceType::kFileServer: id += "/fileservers/" + name; break;
  }
  return id;
}

std::string ResourcePath::key() const { return to_lower(arm_id()); }

std::string ResourcePath::dollar_id() const {
  std::string id = subscription + "$" + resource_group + "$" + workspace;
  if (type == ResourceType::kJob) id += "$" + experiment;
  if (type != ResourceType::kWorkspace) id += "$" + name;
  return id;
}

std::string_view ResourcePath::type_name() const {
  switch (type) {
    case ResourceType::kWorkspace: return "Microsoft.BatchAI/workspaces";
    case ResourceType::kExperiment: return "Microsoft.BatchAI/workspaces/experiments";
    case ResourceType::kJob: return "Microsoft.BatchAI/workspaces/experiments/jobs";
    case ResourceType::kCluster: return "Microsoft.BatchAI/workspaces/clusters";
    case ResourceType::kFileServer: return "Microsoft.BatchAI/workspaces/fileservers";
  }
  return "";
}

std::string_view ResourcePath::noun() const {
  switch (type) {
    case ResourceType::kWorkspace: return "workspace";
    case ResourceType::kExperiment: return "experiment";
    case ResourceType::kJob: return "job";
    case ResourceType::kCluster: return "cluster";
    case ResourceType::kFileServer: return "file server";
  }
  return "";
}

std::string workspaces_prefix(std::string_view subscription) {
  return "/subscriptions/" + to_lower(subscription) + "/resourcegroups/";
}

std::string workspaces_prefix(std::string_view subscription, std::string_view resource_group) {
  return workspaces_prefix(subscription) + to_lower(resource_group) + "/providers/microsoft.batchai/workspaces/";
}

std::string children_prefix(const ResourcePath& parent, ResourceType child) {
  const std::string base = parent.key();
  switch (child) {
    case ResourceType::kExperiment: return base + "/experiments/";
    case ResourceType::kJob: return base + "/jobs/";
    case ResourceType::kCluster: return base + "/clusters/";
    case ResourceType::kFileServer: return base + "/fileservers/";
    case ResourceType::kWorkspace: break;
  }
  return base + "/";
}

}  // namespace emu::engine
