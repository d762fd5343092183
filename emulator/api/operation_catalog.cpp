#include "emulator/api/operation_catalog.hpp"

#include <boost/json.hpp>

namespace emu::api {

namespace {
struct OperationEntry {
  const char* name;
  const char* resource;
  const char* operation;
  const char* description;
  const char* origin;
};

constexpr OperationEntry kOperations[] = {
    {"Microsoft.BatchAI/workspaces/read", "Batch AI Workspaces", "List or get Batch AI workspaces", "Lists Batch AI workspaces or gets the properties of a Batch AI workspace", "user,system"},
    {"Microsoft.BatchAI/workspaces/write", "Batch AI Workspaces", "Create or update Batch AI workspace", "Creates a new Batch AI workspace or updates an existing Batch AI workspace", "user,system"},
    {"Microsoft.BatchAI/workspaces/delete", "Batch AI Clusters", "Delete Batch AI workspace", "Deletes a Batch AI workspace", "user,system"},
    {"Microsoft.BatchAI/workspaces/experiments/read", "Batch AI Experiments", "List or get Batch AI experiements", "Lists Batch AI experiments or gets the properties of a Batch AI experiment", "user,system"},
    {"Microsoft.BatchAI/workspaces/experiments/write", "Batch AI Experiments", "Create or update Batch AI experiement", "Creates a new Batch AI experiment or updates an existing Batch AI experiment", "user,system"},
    {"Microsoft.BatchAI/workspaces/experiments/delete", "Batch AI Experiments", "Delete Batch AI experiment", "Deletes a Batch AI experiment", "user,system"},
    {"Microsoft.BatchAI/clusters/read", "Batch AI Clusters", "List or get Batch AI clusters", "Lists Batch AI clusters or gets the properties of a Batch AI cluster", "user,system"},
    {"Microsoft.BatchAI/workspaces/clusters/read", "Batch AI Clusters", "List or get Batch AI clusters", "Lists Batch AI clusters or gets the properties of a Batch AI cluster", "user,system"},
    {"Microsoft.BatchAI/workspaces/clusters/write", "Batch AI Clusters", "Create or update Batch AI cluster", "Creates a new Batch AI cluster or updates an existing Batch AI cluster", "user,system"},
    {"Microsoft.BatchAI/workspaces/clusters/delete", "Batch AI Clusters", "Delete Batch AI cluster", "Deletes a Batch AI cluster", "user,system"},
    {"Microsoft.BatchAI/workspaces/clusters/remoteLoginInformation/action", "Batch AI Clusters", "List Batch AI cluster remote-login information", "Lists remote-login information for a Batch AI cluster", "user,system"},
    {"Microsoft.BatchAI/workspaces/experiments/jobs/read", "Batch AI Jobs", "List or get Batch AI jobs", "Lists Batch AI jobs or gets the properties of a Batch AI job", "user,system"},
    {"Microsoft.BatchAI/workspaces/experiments/jobs/write", "Batch AI Jobs", "Create or update Batch AI job", "Creates a new Batch AI job or updates an existing Batch AI job", "user,system"},
    {"Microsoft.BatchAI/workspaces/experiments/jobs/delete", "Batch AI Jobs", "Delete Batch AI job", "Deletes a Batch AI job", "user,system"},
    {"Microsoft.BatchAI/workspaces/experiments/jobs/terminate/action", "Batch AI Jobs", "Terminate Batch AI job", "Terminates a Batch AI job", "user,system"},
    {"Microsoft.BatchAI/workspaces/experiments/jobs/remoteLoginInformation/action", "Batch AI Jobs", "List Batch AI job remote-login information", "Lists remote-login information for a Batch AI job", "user,system"},
    {"Microsoft.BatchAI/workspaces/experiments/jobs/listoutputfiles/action", "Batch AI Jobs", "List Batch AI job output files", "Lists output files for a Batch AI job", "user,system"},
    {"Microsoft.BatchAI/fileservers/read", "Batch AI Fileservers", "List or get Batch AI fileservers", "Lists Batch AI fileservers or gets the properties of a Batch AI fileserver", "user,system"},
    {"Microsoft.BatchAI/workspaces/fileservers/read", "Batch AI Fileservers", "List or get Batch AI fileservers", "Lists Batch AI fileservers or gets the properties of a Batch AI fileserver", "user,system"},
    {"Microsoft.BatchAI/workspaces/fileservers/write", "Batch AI Fileservers", "Create or update Batch AI fileserver", "Creates a new Batch AI fileserver or updates an existing Batch AI fileserver", "user,system"},
    {"Microsoft.BatchAI/workspaces/fileservers/delete", "Batch AI Fileservers", "Delete Batch AI filserver", "Deletes a Batch AI fileserver", "user,system"},
    {"Microsoft.BatchAI/locations/usages/read", "Batch AI Usages", "Get Batch AI Usages", "Gets Batch AI usages of the specified subscription at the specified Azure region", "user,system"},
    {"Microsoft.BatchAI/register/action", "Batch AI Resource Provider", "Register the Batch AI Resource Provider", "Registers the subscription for the Batch AI Resource Provider and enables the creation of Batch AI resources", "user,system"},
    {"Microsoft.BatchAI/unregister/action", "Batch AI Resource Provider", "Unregister the Batch AI Resource Provider", "Unregisters the subscription for the Batch AI Resource Provider preventing the creation of Batch AI resources", "user,system"},
    {"Microsoft.BatchAI/locations/operationresults/read", "Batch AI Operation Results", "Get Batch AI Opreation Result", "Gets Batch AI async operation result at the specified Azure region", "user,system"},
    {"Microsoft.BatchAI/locations/operationstatuses/read", "Batch AI Operation Statuses", "Get Batch AI Opreation Status", "Gets Batch AI async operation status at the specified Azure region", "user,system"},
};
}  // namespace

boost::json::array operation_catalog() {
  boost::json::array out;
  for (const auto& op : kOperations) {
    out.push_back(boost::json::object{
        {"name", op.name},
        {"display", boost::json::object{{"provider", "Microsoft Batch AI"},
                                        {"resource", op.resource},
                                        {"operation", op.operation},
                                        {"description", op.description}}},
        {"origin", op.origin},
        {"properties", nullptr}});
  }
  return out;
}

}  // namespace emu::api
