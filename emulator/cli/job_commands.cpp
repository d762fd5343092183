// job commands: create/list/show/delete, terminate, wait (follows the job), file list/stream
// (follows a growing file through its download URL) and node list/exec.
#include <thread>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "emulator/cli/commands.hpp"
#include "emulator/cli/resource_columns.hpp"

namespace emu::cli {

namespace json = boost::json;

namespace {

struct JobName {
  std::string group;
  std::string workspace;
  std::string workspace_path;
  std::string path;
};

core::Result<JobName> job_name(CommandContext& ctx, const ArgumentList& args, std::string_view flag) {
  auto group = args.required("--resource-group");
  if (!group) return group.error();
  auto workspace = args.required("--workspace");
  if (!workspace) return workspace.error();
  auto experiment = args.required("--experiment");
  if (!experiment) return experiment.error();
  core::Result<std::string> job = args.required(flag);
  if (!job) return job.error();
  JobName name{*group, *workspace, ctx.arm.group_path(*group) + "/workspaces/" + *workspace, {}};
  name.path = name.workspace_path + "/experiments/" + *experiment + "/jobs/" + *job;
  return name;
}

std::string state_of(const json::value& job) { return field("properties.executionState")(job); }

bool finished(const std::string& state) { return state == "succeeded" || state == "failed"; }

// POST listOutputFiles, every page.
core::Result<json::array> output_files(CommandContext& ctx, const std::string& job_path,
                                       const std::string& directory_id, const std::string& directory,
                                       long long expiry) {
  json::array files;
  auto page = ctx.arm.post(job_path + "/listOutputFiles",
                           "outputdirectoryid=" + directory_id + "&directory=" + directory +
                               "&linkexpiryinminutes=" + std::to_string(expiry));
  for (int pages = 0; pages < 10000; ++pages) {
    if (!page) return page.error();
    std::string next;
    if (page->is_object()) {
      if (const auto* value = page->get_object().if_contains("value"); value && value->is_array()) {
        for (const auto& file : value->get_array()) files.push_back(file);
      }
      next = field("nextLink")(*page);
    }
    if (next.empty()) break;
    auto response = ctx.arm.raw("POST", next);
    if (!response) return response.error();
    if (response->status != 200) return error_from_response(*response);
    page = json::parse(response->body);
  }
  return files;
}

std::chrono::milliseconds interval_of(const CommandContext& ctx, const std::optional<double>& seconds) {
  if (!seconds) return ctx.poll_interval;
  return std::chrono::milliseconds(static_cast<long long>(*seconds * 1000));
}

}  // namespace

core::Result<CommandOutput> job_create(CommandContext& ctx, const ArgumentList& args) {
  auto name = job_name(ctx, args, "--name");
  if (!name) return name.error();
  json::object properties;
  if (auto file = args.value("--config-file")) {
    auto loaded = load_properties(*file);
    if (!loaded) return loaded.error();
    properties = std::move(*loaded);
  }
  if (auto cluster = args.value("--cluster")) {
    std::string id = *cluster;
    if (id.find('/') == std::string::npos) id = name->workspace_path + "/clusters/" + *cluster;
    // As az did: the cluster must exist before the job is sent.
    auto found = ctx.arm.get(id);
    if (!found) return found.error();
    object_at(properties, "cluster")["id"] = id;
  } else if (!properties.contains("cluster")) {
    return usage_error(
        "the following argument is required: --cluster (or \"cluster\": {\"id\": ...} in the config file)",
        "--cluster");
  }
  json::object volumes;
  if (auto result = add_mount_flags(ctx, args, name->group, name->workspace, volumes); !result)
    return result.error();
  if (!volumes.empty()) {
    json::object& target = object_at(properties, "mountVolumes");
    for (auto& [key, list] : volumes) {
      json::array& into = array_at(target, key);
      for (auto& item : list.get_array()) into.push_back(item);
    }
  }
  auto existing = ctx.arm.get(name->path);
  if (existing) {
    return core::Error::conflict("JobExists",
                                 "A job named " + *args.value("--name") +
                                     " already exists in that experiment; delete it or pick another name");
  }
  if (existing.error().kind != core::ErrorKind::kNotFound) return existing.error();
  auto job = ctx.arm.put_lro(name->path, json::object{{"properties", std::move(properties)}},
                             !args.has("--no-wait"));
  if (!job) return job.error();
  return CommandOutput{std::move(*job), job_columns()};
}

core::Result<CommandOutput> job_delete(CommandContext& ctx, const ArgumentList& args) {
  auto name = job_name(ctx, args, "--name");
  if (!name) return name.error();
  if (auto done = ctx.arm.action_lro("DELETE", name->path, !args.has("--no-wait")); !done)
    return done.error();
  return CommandOutput{};
}

core::Result<CommandOutput> job_list(CommandContext& ctx, const ArgumentList& args) {
  auto group = args.required("--resource-group");
  if (!group) return group.error();
  auto workspace = args.required("--workspace");
  if (!workspace) return workspace.error();
  auto experiment = args.required("--experiment");
  if (!experiment) return experiment.error();
  auto list = ctx.arm.list(ctx.arm.group_path(*group) + "/workspaces/" + *workspace + "/experiments/" +
                           *experiment + "/jobs");
  if (!list) return list.error();
  return CommandOutput{std::move(*list), job_columns()};
}

core::Result<CommandOutput> job_show(CommandContext& ctx, const ArgumentList& args) {
  auto name = job_name(ctx, args, "--name");
  if (!name) return name.error();
  auto job = ctx.arm.get(name->path);
  if (!job) return job.error();
  return CommandOutput{std::move(*job), job_columns()};
}

core::Result<CommandOutput> job_terminate(CommandContext& ctx, const ArgumentList& args) {
  auto name = job_name(ctx, args, "--name");
  if (!name) return name.error();
  if (auto done = ctx.arm.action_lro("POST", name->path + "/terminate", !args.has("--no-wait")); !done) {
    return done.error();
  }
  return CommandOutput{};
}

core::Result<CommandOutput> job_wait(CommandContext& ctx, const ArgumentList& args) {
  auto name = job_name(ctx, args, "--name");
  if (!name) return name.error();
  auto seconds = args.seconds("--interval");
  if (!seconds) return seconds.error();
  const auto interval = interval_of(ctx, *seconds);
  std::string last_state;
  while (true) {
    auto job = ctx.arm.get(name->path);
    if (!job) return job.error();
    const std::string state = state_of(*job);
    if (state != last_state) {
      ctx.err << "Job state: " << state << std::endl;
      last_state = state;
    }
    if (finished(state)) {
      const std::string exit_code = field("properties.executionInfo.exitCode")(*job);
      ctx.err << "Job " << state << (exit_code.empty() ? "" : ", exit code " + exit_code) << std::endl;
      CommandOutput output{std::move(*job), job_columns()};
      output.exit_code = state == "succeeded" ? 0 : 1;
      return output;
    }
    std::this_thread::sleep_for(interval);
  }
}

core::Result<CommandOutput> job_file_list(CommandContext& ctx, const ArgumentList& args) {
  auto name = job_name(ctx, args, "--job");
  if (!name) return name.error();
  auto expiry = args.integer("--expiry", 5, 600);
  if (!expiry) return expiry.error();
  auto files = output_files(ctx, name->path, args.value("--output-directory-id").value_or("stdouterr"),
                            args.value("--path").value_or("."), expiry->value_or(60));
  if (!files) return files.error();
  return CommandOutput{std::move(*files), file_columns()};
}

core::Result<CommandOutput> job_file_stream(CommandContext& ctx, const ArgumentList& args) {
  auto name = job_name(ctx, args, "--job");
  if (!name) return name.error();
  auto file_name = args.required("--file-name");
  if (!file_name) return file_name.error();
  const std::string directory_id = args.value("--output-directory-id").value_or("stdouterr");
  const std::string directory = args.value("--path").value_or(".");
  std::uint64_t offset = 0;
  bool said_waiting = false;
  bool last_round = false;
  while (true) {
    // The job's state first: output written before it finished is still fetched below.
    auto job = ctx.arm.get(name->path);
    if (!job) return job.error();
    const bool done = finished(state_of(*job));
    auto files = output_files(ctx, name->path, directory_id, directory, 60);
    if (!files) return files.error();
    const json::value* file = nullptr;
    for (const auto& candidate : *files) {
      if (field("name")(candidate) == *file_name) file = &candidate;
    }
    if (file) {
      const std::vector<std::pair<std::string, std::string>> range{
          {"Range", "bytes=" + std::to_string(offset) + "-"}};
      auto response = ctx.arm.raw("GET", field("downloadUrl")(*file), {}, range);
      if (!response) return response.error();
      if (response->status == 200 || response->status == 206) {
        // A server that ignores Range sends the whole file: skip what was printed already.
        std::string_view fresh = response->body;
        if (response->status == 200)
          fresh = offset < fresh.size() ? fresh.substr(offset) : std::string_view{};
        ctx.out << fresh << std::flush;
        offset += fresh.size();
      } else if (response->status != 416) {
        return error_from_response(*response);
      }
    } else if (done) {
      return core::Error::not_found(
          "FileNotFound", "The job is " + state_of(*job) + " and has no file " + *file_name + " in " +
                              directory_id + (directory == "." ? "" : "/" + directory) +
                              " (on the sim backend jobs write no files; see 'job file list')");
    } else if (!said_waiting) {
      ctx.err << "File " << *file_name << " not found yet; waiting for the job to write it" << std::endl;
      said_waiting = true;
    }
    if (done && last_round) return CommandOutput{};
    last_round = done;  // one more round after the end picks up the last bytes
    if (!done) std::this_thread::sleep_for(ctx.poll_interval);
  }
}

core::Result<CommandOutput> job_node_list(CommandContext& ctx, const ArgumentList& args) {
  auto name = job_name(ctx, args, "--job");
  if (!name) return name.error();
  auto nodes = ctx.arm.post(name->path + "/listRemoteLoginInformation");
  if (!nodes) return nodes.error();
  json::value value = json::array{};
  if (nodes->is_object()) {
    if (const auto* items = nodes->get_object().if_contains("value")) value = *items;
  }
  return CommandOutput{std::move(value), node_columns()};
}

core::Result<CommandOutput> job_node_exec(CommandContext& ctx, const ArgumentList& args) {
  auto name = job_name(ctx, args, "--job");
  if (!name) return name.error();
  auto job = ctx.arm.get(name->path);
  if (!job) return job.error();
  auto cluster = ctx.arm.get(field("properties.cluster.id")(*job));
  if (!cluster) return cluster.error();
  auto nodes = ctx.arm.post(name->path + "/listRemoteLoginInformation");
  if (!nodes) return nodes.error();
  return exec_on_node(ctx, args, *nodes, field("properties.userAccountSettings.adminUserName")(*cluster));
}

}  // namespace emu::cli
