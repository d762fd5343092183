#include "harness/scenario.hpp"

#include <algorithm>

namespace emu::harness {

std::string Scenario::workspace_path() const {
  return "/subscriptions/" + subscription + "/resourceGroups/" + resource_group +
         "/providers/Microsoft.BatchAI/workspaces/" + workspace;
}

std::string Scenario::target(const std::string& relative) const {
  std::string path = relative.empty()                              ? workspace_path()
                     : relative.front() == '/' ? relative
                                               : workspace_path() + "/" + relative;
  if (path.find("api-version=") == std::string::npos) {
    path += (path.find('?') == std::string::npos ? "?" : "&");
    path += "api-version=2018-05-01";
  }
  return path;
}

std::string Scenario::cluster_target(const std::string& cluster) const { return target("clusters/" + cluster); }
std::string Scenario::job_target(const std::string& job) const {
  return target("experiments/" + experiment + "/jobs/" + job);
}
std::string Scenario::file_server_target(const std::string& server) const { return target("fileServers/" + server); }
std::string Scenario::cluster_id(const std::string& cluster) const { return workspace_path() + "/clusters/" + cluster; }

void Scenario::sort_steps() {
  std::stable_sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) { return a.at < b.at; });
}

}  // namespace emu::harness
