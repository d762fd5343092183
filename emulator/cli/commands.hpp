#pragma once
// The `az batchai` command functions, one per leaf of the command tree, grouped by the file that
// implements them; command_table.cpp pairs each with its flags and help.
//   auto output = cluster_create(ctx, args);  // ctx: CommandContext, args: parsed flags

#include "emulator/cli/command_context.hpp"

namespace emu::cli {

// workspace_commands.cpp (workspaces, experiments, usages)
core::Result<CommandOutput> workspace_create(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> workspace_delete(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> workspace_list(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> workspace_show(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> experiment_create(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> experiment_delete(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> experiment_list(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> experiment_show(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> list_usages(CommandContext&, const ArgumentList&);

// cluster_commands.cpp
core::Result<CommandOutput> cluster_create(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> cluster_delete(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> cluster_list(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> cluster_show(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> cluster_resize(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> cluster_auto_scale(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> cluster_node_list(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> cluster_node_exec(CommandContext&, const ArgumentList&);

// file_server_commands.cpp
core::Result<CommandOutput> file_server_create(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> file_server_delete(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> file_server_list(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> file_server_show(CommandContext&, const ArgumentList&);

// job_commands.cpp
core::Result<CommandOutput> job_create(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> job_delete(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> job_list(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> job_show(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> job_terminate(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> job_wait(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> job_file_list(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> job_file_stream(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> job_node_list(CommandContext&, const ArgumentList&);
core::Result<CommandOutput> job_node_exec(CommandContext&, const ArgumentList&);

// Shared by cluster and job commands: mount volumes from --nfs/--afs-name/--bfs-name and friends,
// merged into `volumes` (cluster: nodeSetup.mountVolumes, job: mountVolumes).
core::Result<void> add_mount_flags(CommandContext& ctx, const ArgumentList& args, const std::string& group,
                                   const std::string& workspace, boost::json::object& volumes);
// Runs `ssh` to a node from listRemoteLoginInformation (node exec of clusters and jobs).
core::Result<CommandOutput> exec_on_node(CommandContext& ctx, const ArgumentList& args,
                                         const boost::json::value& login_info, const std::string& user);

}  // namespace emu::cli
