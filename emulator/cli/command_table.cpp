// The `az batchai` command tree: each leaf's flags (names and short forms as in the retired module)
// and help line.
#include "emulator/cli/commands.hpp"

namespace emu::cli {
namespace {

using enum FlagKind;

constexpr FlagSpec kGroup{"--resource-group", "-g", kValue, "name of the resource group"};
constexpr FlagSpec kWorkspace{"--workspace", "-w", kValue, "name of the workspace"};
constexpr FlagSpec kExperiment{"--experiment", "-e", kValue, "name of the experiment"};
constexpr FlagSpec kNoWait{"--no-wait", "", kSwitch, "do not wait for the long-running operation to finish"};
constexpr FlagSpec kYes{"--yes", "-y", kSwitch, "do not prompt for confirmation"};
constexpr FlagSpec kConfig{"--config-file", "-f", kValue,
                           "JSON file {\"properties\": {...}}; flags override it"};

constexpr FlagSpec kMountFlags[] = {
    {"--nfs", "", kValue, "name or id of a file server to mount"},
    {"--nfs-mount-path", "", kValue, "relative mount path of the file server (default nfs)"},
    {"--afs-name", "", kValue, "Azure File share to mount"},
    {"--afs-mount-path", "", kValue, "relative mount path of the share (default afs)"},
    {"--bfs-name", "", kValue, "Azure Blob container to mount"},
    {"--bfs-mount-path", "", kValue, "relative mount path of the container (default bfs)"},
    {"--storage-account-name", "", kValue, "storage account of --afs-name/--bfs-name"},
    {"--storage-account-key", "", kValue, "its key"},
};

#define EMU_MOUNT_FLAGS                                                                           \
  kMountFlags[0], kMountFlags[1], kMountFlags[2], kMountFlags[3], kMountFlags[4], kMountFlags[5], \
      kMountFlags[6], kMountFlags[7]

constexpr FlagSpec kWorkspaceCreate[] = {kGroup,
                                         {"--name", "-n", kValue, "name of the workspace"},
                                         {"--location", "-l", kValue, "location (default: eastus)"},
                                         {"--tags", "", kList, "space-separated tags: key[=value]"}};
constexpr FlagSpec kWorkspaceDelete[] = {
    kGroup, {"--name", "-n", kValue, "name of the workspace"}, kYes, kNoWait};
constexpr FlagSpec kWorkspaceList[] = {kGroup};
constexpr FlagSpec kWorkspaceShow[] = {kGroup, {"--name", "-n", kValue, "name of the workspace"}};

constexpr FlagSpec kExperimentName[] = {
    kGroup, kWorkspace, {"--name", "-n", kValue, "name of the experiment"}};
constexpr FlagSpec kExperimentDelete[] = {
    kGroup, kWorkspace, {"--name", "-n", kValue, "name of the experiment"}, kYes, kNoWait};
constexpr FlagSpec kExperimentList[] = {kGroup, kWorkspace};

constexpr FlagSpec kClusterCreate[] = {
    kGroup,
    kWorkspace,
    {"--name", "-n", kValue, "name of the cluster"},
    kConfig,
    {"--vm-size", "-s", kValue, "VM size, e.g. STANDARD_NC6"},
    {"--vm-priority", "", kValue, "dedicated or lowpriority"},
    {"--image", "-i", kValue, "UbuntuLTS, UbuntuDSVM or publisher:offer:sku[:version]"},
    {"--custom-image", "", kValue, "id of a custom VM image"},
    {"--target", "-t", kValue, "number of nodes (manual scale)"},
    {"--min", "", kValue, "minimum nodes (auto-scale)"},
    {"--max", "", kValue, "maximum nodes (auto-scale)"},
    {"--user-name", "-u", kValue, "admin user of the nodes (default: $USER)"},
    {"--password", "-p", kValue, "admin user's password"},
    {"--ssh-key", "-k", kValue, "SSH public key, or a file holding it"},
    {"--generate-ssh-keys", "", kSwitch, "use ~/.ssh/id_rsa.pub"},
    {"--setup-task", "", kValue, "command line run on every node as it joins"},
    {"--setup-task-output", "", kValue, "where the setup task's stdout/stderr go"},
    {"--subnet", "", kValue, "id of a virtual network subnet"},
    EMU_MOUNT_FLAGS,
    kNoWait};
constexpr FlagSpec kClusterName[] = {kGroup, kWorkspace, {"--name", "-n", kValue, "name of the cluster"}};
constexpr FlagSpec kClusterDelete[] = {
    kGroup, kWorkspace, {"--name", "-n", kValue, "name of the cluster"}, kYes, kNoWait};
constexpr FlagSpec kClusterList[] = {kGroup, kWorkspace};
constexpr FlagSpec kClusterResize[] = {
    kGroup,
    kWorkspace,
    {"--name", "-n", kValue, "name of the cluster"},
    {"--target", "-t", kValue, "number of nodes"},
    {"--node-deallocation-option", "", kValue, "requeue (default), terminate or waitforjobcompletion"}};
constexpr FlagSpec kClusterAutoScale[] = {kGroup,
                                          kWorkspace,
                                          {"--name", "-n", kValue, "name of the cluster"},
                                          {"--min", "", kValue, "minimum nodes"},
                                          {"--max", "", kValue, "maximum nodes"}};
constexpr FlagSpec kClusterNodeList[] = {
    kGroup, kWorkspace, {"--cluster", "-c", kValue, "name of the cluster"}};
constexpr FlagSpec kClusterNodeExec[] = {kGroup,
                                         kWorkspace,
                                         {"--cluster", "-c", kValue, "name of the cluster"},
                                         {"--node-id", "-n", kValue, "node to run on (default: the first)"},
                                         {"--exec", "", kValue, "command line to run (default: a shell)"},
                                         {"--address", "-L", kList, "port forward(s) local:host:remote"},
                                         {"--ssh-private-key", "-k", kValue, "private key file for ssh"}};

constexpr FlagSpec kFileServerCreate[] = {kGroup,
                                          kWorkspace,
                                          {"--name", "-n", kValue, "name of the file server"},
                                          kConfig,
                                          {"--vm-size", "-s", kValue, "VM size"},
                                          {"--disk-count", "", kValue, "number of data disks"},
                                          {"--disk-size", "", kValue, "size of each disk in GB"},
                                          {"--storage-sku", "", kValue, "Standard_LRS or Premium_LRS"},
                                          {"--caching-type", "", kValue, "none, readonly or readwrite"},
                                          {"--user-name", "-u", kValue, "admin user (default: $USER)"},
                                          {"--password", "-p", kValue, "admin user's password"},
                                          {"--ssh-key", "-k", kValue, "SSH public key"},
                                          {"--generate-ssh-keys", "", kSwitch, "accepted for compatibility"},
                                          {"--subnet", "", kValue, "id of a virtual network subnet"},
                                          kNoWait};
constexpr FlagSpec kFileServerName[] = {
    kGroup, kWorkspace, {"--name", "-n", kValue, "name of the file server"}};
constexpr FlagSpec kFileServerDelete[] = {
    kGroup, kWorkspace, {"--name", "-n", kValue, "name of the file server"}, kYes, kNoWait};
constexpr FlagSpec kFileServerList[] = {kGroup, kWorkspace};

constexpr FlagSpec kJobCreate[] = {kGroup,
                                   kWorkspace,
                                   kExperiment,
                                   {"--name", "-n", kValue, "name of the job"},
                                   {"--cluster", "-c", kValue, "name or id of the cluster to run on"},
                                   kConfig,
                                   EMU_MOUNT_FLAGS,
                                   kNoWait};
constexpr FlagSpec kJobName[] = {
    kGroup, kWorkspace, kExperiment, {"--name", "-n", kValue, "name of the job"}};
constexpr FlagSpec kJobDelete[] = {
    kGroup, kWorkspace, kExperiment, {"--name", "-n", kValue, "name of the job"}, kYes, kNoWait};
constexpr FlagSpec kJobTerminate[] = {
    kGroup, kWorkspace, kExperiment, {"--name", "-n", kValue, "name of the job"}, kYes, kNoWait};
constexpr FlagSpec kJobList[] = {kGroup, kWorkspace, kExperiment};
constexpr FlagSpec kJobWait[] = {
    kGroup,
    kWorkspace,
    kExperiment,
    {"--name", "-n", kValue, "name of the job"},
    {"--interval", "", kValue, "seconds between polls (default 15; decimals allowed)"}};
constexpr FlagSpec kJobFileList[] = {
    kGroup,
    kWorkspace,
    kExperiment,
    {"--job", "-j", kValue, "name of the job"},
    {"--output-directory-id", "-d", kValue, "stdouterr (default) or an output directory id"},
    {"--path", "-p", kValue, "directory inside it (default .)"},
    {"--expiry", "", kValue, "minutes the download links stay valid (default 60)"}};
constexpr FlagSpec kJobFileStream[] = {
    kGroup,
    kWorkspace,
    kExperiment,
    {"--job", "-j", kValue, "name of the job"},
    {"--output-directory-id", "-d", kValue, "stdouterr (default) or an output directory id"},
    {"--file-name", "-f", kValue, "file to follow, e.g. stdout.txt"},
    {"--path", "-p", kValue, "directory inside it (default .)"}};
constexpr FlagSpec kJobNodeList[] = {
    kGroup, kWorkspace, kExperiment, {"--job", "-j", kValue, "name of the job"}};
constexpr FlagSpec kJobNodeExec[] = {kGroup,
                                     kWorkspace,
                                     kExperiment,
                                     {"--job", "-j", kValue, "name of the job"},
                                     {"--node-id", "-n", kValue, "node to run on (default: the first)"},
                                     {"--exec", "", kValue, "command line to run (default: a shell)"},
                                     {"--address", "-L", kList, "port forward(s) local:host:remote"},
                                     {"--ssh-private-key", "-k", kValue, "private key file for ssh"}};

constexpr FlagSpec kUsages[] = {{"--location", "-l", kValue, "location, e.g. eastus"}};

constexpr CommandSpec kCommands[] = {
    {"workspace create", kWorkspaceCreate, workspace_create, "Create a workspace."},
    {"workspace delete", kWorkspaceDelete, workspace_delete, "Delete a workspace and everything in it."},
    {"workspace list", kWorkspaceList, workspace_list, "List workspaces (of a resource group, or all)."},
    {"workspace show", kWorkspaceShow, workspace_show, "Show a workspace."},
    {"experiment create", kExperimentName, experiment_create, "Create an experiment."},
    {"experiment delete", kExperimentDelete, experiment_delete, "Delete an experiment and its jobs."},
    {"experiment list", kExperimentList, experiment_list, "List experiments."},
    {"experiment show", kExperimentName, experiment_show, "Show an experiment."},
    {"cluster create", kClusterCreate, cluster_create, "Create a cluster."},
    {"cluster delete", kClusterDelete, cluster_delete, "Delete a cluster."},
    {"cluster list", kClusterList, cluster_list, "List clusters."},
    {"cluster show", kClusterName, cluster_show, "Show a cluster."},
    {"cluster resize", kClusterResize, cluster_resize, "Resize a cluster (manual scale)."},
    {"cluster auto-scale", kClusterAutoScale, cluster_auto_scale,
     "Make a cluster auto-scale between --min and --max."},
    {"cluster node list", kClusterNodeList, cluster_node_list,
     "List a cluster's nodes (remote login addresses)."},
    {"cluster node exec", kClusterNodeExec, cluster_node_exec, "Run a command (or a shell) inside a cluster node."},
    {"file-server create", kFileServerCreate, file_server_create, "Create a file server."},
    {"file-server delete", kFileServerDelete, file_server_delete, "Delete a file server."},
    {"file-server list", kFileServerList, file_server_list, "List file servers."},
    {"file-server show", kFileServerName, file_server_show, "Show a file server."},
    {"job create", kJobCreate, job_create, "Create (submit) a job."},
    {"job delete", kJobDelete, job_delete, "Delete a job."},
    {"job list", kJobList, job_list, "List the jobs of an experiment."},
    {"job show", kJobName, job_show, "Show a job."},
    {"job terminate", kJobTerminate, job_terminate, "Terminate a job."},
    {"job wait", kJobWait, job_wait, "Wait for a job to finish, printing its state; exit 0 if it succeeded."},
    {"job file list", kJobFileList, job_file_list, "List a job's output files."},
    {"job file stream", kJobFileStream, job_file_stream,
     "Print a job's output file as it grows, until the job ends."},
    {"job node list", kJobNodeList, job_node_list, "List the nodes a job runs on."},
    {"job node exec", kJobNodeExec, job_node_exec, "Run a command (or a shell) inside one of a job's nodes."},
    {"list-usages", kUsages, list_usages, "Show the usage and quota of a location."},
};

#undef EMU_MOUNT_FLAGS

}  // namespace

std::span<const CommandSpec> command_table() { return kCommands; }

}  // namespace emu::cli
