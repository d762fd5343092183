#include "emulator/cli/resource_columns.hpp"

#include <cctype>

#include <boost/json/value.hpp>

namespace emu::cli {
namespace {

namespace json = boost::json;

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

Column id_column(std::string header, std::string_view after, std::string path = "id") {
  auto read = field(std::move(path));
  return Column{std::move(header),
                [read, after](const json::value& row) { return id_segment(read(row), after); }};
}

}  // namespace

std::string id_segment(const std::string& id, std::string_view after) {
  std::string_view rest = id;
  while (!rest.empty()) {
    if (rest.front() == '/') rest.remove_prefix(1);
    const auto slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (slash == std::string_view::npos) return {};
    rest.remove_prefix(slash + 1);
    const auto next = rest.find('/');
    if (iequal(segment, after)) return std::string(rest.substr(0, next));
  }
  return {};
}

std::vector<Column> workspace_columns() {
  return {{"Name", field("name")},
          id_column("Resource Group", "resourceGroups"),
          {"Location", field("location")},
          {"State", field("properties.provisioningState")},
          {"Created", field("properties.creationTime")}};
}

std::vector<Column> experiment_columns() {
  return {{"Name", field("name")},
          id_column("Resource Group", "resourceGroups"),
          id_column("Workspace", "workspaces"),
          {"State", field("properties.provisioningState")},
          {"Created", field("properties.creationTime")}};
}

std::vector<Column> cluster_columns() {
  return {{"Name", field("name")},
          id_column("Resource Group", "resourceGroups"),
          id_column("Workspace", "workspaces"),
          {"VM Size", field("properties.vmSize")},
          {"State", field("properties.allocationState")},
          {"Idle", field("properties.nodeStateCounts.idleNodeCount")},
          {"Running", field("properties.nodeStateCounts.runningNodeCount")},
          {"Preparing", field("properties.nodeStateCounts.preparingNodeCount")},
          {"Leaving", field("properties.nodeStateCounts.leavingNodeCount")},
          {"Unusable", field("properties.nodeStateCounts.unusableNodeCount")}};
}

std::vector<Column> file_server_columns() {
  return {{"Name", field("name")},
          id_column("Resource Group", "resourceGroups"),
          id_column("Workspace", "workspaces"),
          {"Size", field("properties.vmSize")},
          {"Disks",
           [](const json::value& row) {
             const auto count = field("properties.dataDisks.diskCount")(row);
             const auto size = field("properties.dataDisks.diskSizeInGB")(row);
             return count.empty() ? std::string() : count + " x " + size + " Gb";
           }},
          {"Public IP", field("properties.mountSettings.fileServerPublicIP")},
          {"Internal IP", field("properties.mountSettings.fileServerInternalIP")},
          {"Mount Point", field("properties.mountSettings.mountPoint")},
          {"State", field("properties.provisioningState")}};
}

std::vector<Column> job_columns() {
  return {{"Name", field("name")},
          id_column("Resource Group", "resourceGroups"),
          id_column("Workspace", "workspaces"),
          id_column("Experiment", "experiments"),
          id_column("Cluster", "clusters", "properties.cluster.id"),
          {"Nodes", field("properties.nodeCount")},
          {"State", field("properties.executionState")},
          {"Exit code", field("properties.executionInfo.exitCode")}};
}

std::vector<Column> file_columns() {
  return {{"Name", field("name")},
          {"Type", field("fileType")},
          {"Size", field("properties.contentLength")},
          {"Modified", field("properties.lastModified")}};
}

std::vector<Column> node_columns() {
  return {{"ID", field("nodeId")}, {"IP", field("ipAddress")}, {"SSH Port", field("port")}};
}

std::vector<Column> usage_columns() {
  return {
      {"Name", field("name.localizedValue")}, {"Usage", field("currentValue")}, {"Limit", field("limit")}};
}

}  // namespace emu::cli
