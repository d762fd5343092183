// cluster commands, and the mount-volume flags that clusters and jobs share.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/json/object.hpp>

#include "emulator/cli/commands.hpp"
#include "emulator/cli/resource_columns.hpp"

namespace emu::cli {

namespace json = boost::json;

namespace {

struct ClusterName {
  std::string group;
  std::string workspace;
  std::string path;
};

core::Result<ClusterName> cluster_name(CommandContext& ctx, const ArgumentList& args, std::string_view flag) {
  auto group = args.required("--resource-group");
  if (!group) return group.error();
  auto workspace = args.required("--workspace");
  if (!workspace) return workspace.error();
  auto name = args.required(flag);
  if (!name) return name.error();
  return ClusterName{*group, *workspace,
                     ctx.arm.group_path(*group) + "/workspaces/" + *workspace + "/clusters/" + *name};
}

std::string env_or(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::string(value) : std::move(fallback);
}

// An image alias of the real CLI, or publisher:offer:sku:version.
core::Result<json::object> image_reference(const std::string& image) {
  if (image == "UbuntuLTS") {
    return json::object{
        {"publisher", "Canonical"}, {"offer", "UbuntuServer"}, {"sku", "16.04-LTS"}, {"version", "latest"}};
  }
  if (image == "UbuntuDSVM") {
    return json::object{{"publisher", "microsoft-ads"},
                        {"offer", "linux-data-science-vm-ubuntu"},
                        {"sku", "linuxdsvmubuntu"},
                        {"version", "latest"}};
  }
  std::vector<std::string> parts;
  std::stringstream in(image);
  for (std::string part; std::getline(in, part, ':');) parts.push_back(part);
  if (parts.size() < 3 || parts.size() > 4) {
    return usage_error("argument --image: '" + image +
                           "' is neither UbuntuLTS, UbuntuDSVM nor publisher:offer:sku[:version]",
                       "--image");
  }
  return json::object{{"publisher", parts[0]},
                      {"offer", parts[1]},
                      {"sku", parts[2]},
                      {"version", parts.size() == 4 ? parts[3] : "latest"}};
}

// -u/-p/-k/--generate-ssh-keys over userAccountSettings; the user name defaults as az's did ($USER).
core::Result<void> apply_user_flags(const ArgumentList& args, json::object& properties) {
  json::object& user = object_at(properties, "userAccountSettings");
  if (auto name = args.value("--user-name")) user["adminUserName"] = *name;
  if (auto password = args.value("--password")) user["adminUserPassword"] = *password;
  std::optional<std::string> key = args.value("--ssh-key");
  if (!key && args.has("--generate-ssh-keys")) key = env_or("HOME", ".") + "/.ssh/id_rsa.pub";
  if (key) {
    std::string text = *key;
    if (std::filesystem::exists(*key)) {
      std::ifstream in(*key);
      std::getline(in, text);
    } else if (args.has("--generate-ssh-keys") && !args.has("--ssh-key")) {
      return usage_error(
          "--generate-ssh-keys found no " + *key + "; create one with ssh-keygen or pass --ssh-key",
          "--generate-ssh-keys");
    }
    user["adminUserSshPublicKey"] = text;
  }
  if (!user.contains("adminUserName")) user["adminUserName"] = env_or("USER", "azureuser");
  if (!user.contains("adminUserPassword") && !user.contains("adminUserSshPublicKey")) {
    const std::string default_key = env_or("HOME", ".") + "/.ssh/id_rsa.pub";
    if (!std::filesystem::exists(default_key)) {
      return usage_error("give the admin user a password (-p) or an SSH key (-k, --generate-ssh-keys)",
                         "--password");
    }
    std::ifstream in(default_key);
    std::string text;
    std::getline(in, text);
    user["adminUserSshPublicKey"] = text;
  }
  return {};
}

}  // namespace

core::Result<void> add_mount_flags(CommandContext& ctx, const ArgumentList& args, const std::string& group,
                                   const std::string& workspace, json::object& volumes) {
  if (auto nfs = args.value("--nfs")) {
    std::string id = *nfs;
    if (id.find('/') == std::string::npos) {
      id = ctx.arm.group_path(group) + "/workspaces/" + workspace + "/fileServers/" + *nfs;
    }
    array_at(volumes, "fileServers")
        .push_back(json::object{{"fileServer", json::object{{"id", id}}},
                                {"relativeMountPath", args.value("--nfs-mount-path").value_or("nfs")},
                                {"mountOptions", "rw"}});
  }
  const bool storage = args.has("--afs-name") || args.has("--bfs-name");
  std::string account =
      args.value("--storage-account-name").value_or(env_or("AZURE_BATCHAI_STORAGE_ACCOUNT", ""));
  std::string key = args.value("--storage-account-key").value_or(env_or("AZURE_BATCHAI_STORAGE_KEY", ""));
  if (storage && account.empty()) {
    return usage_error(
        "--afs-name and --bfs-name need --storage-account-name (or AZURE_BATCHAI_STORAGE_ACCOUNT)",
        "--storage-account-name");
  }
  if (storage && key.empty()) key = "emulator";  // the emulator does not check storage keys
  if (auto share = args.value("--afs-name")) {
    array_at(volumes, "azureFileShares")
        .push_back(json::object{{"accountName", account},
                                {"azureFileUrl", "https://" + account + ".file.core.windows.net/" + *share},
                                {"credentials", json::object{{"accountKey", key}}},
                                {"relativeMountPath", args.value("--afs-mount-path").value_or("afs")},
                                {"fileMode", "0777"},
                                {"directoryMode", "0777"}});
  }
  if (auto container = args.value("--bfs-name")) {
    array_at(volumes, "azureBlobFileSystems")
        .push_back(json::object{{"accountName", account},
                                {"containerName", *container},
                                {"credentials", json::object{{"accountKey", key}}},
                                {"relativeMountPath", args.value("--bfs-mount-path").value_or("bfs")}});
  }
  return {};
}

core::Result<CommandOutput> cluster_create(CommandContext& ctx, const ArgumentList& args) {
  auto name = cluster_name(ctx, args, "--name");
  if (!name) return name.error();
  json::object properties;
  if (auto file = args.value("--config-file")) {
    auto loaded = load_properties(*file);
    if (!loaded) return loaded.error();
    properties = std::move(*loaded);
  }
  if (auto size = args.value("--vm-size")) properties["vmSize"] = *size;
  if (auto priority = args.value("--vm-priority")) properties["vmPriority"] = *priority;
  if (auto image = args.value("--image")) {
    auto reference = image_reference(*image);
    if (!reference) return reference.error();
    object_at(properties, "virtualMachineConfiguration")["imageReference"] = std::move(*reference);
  }
  if (auto custom = args.value("--custom-image")) {
    object_at(object_at(properties, "virtualMachineConfiguration"),
              "imageReference")["virtualMachineImageId"] = *custom;
  }
  auto target_flag = args.integer("--target", 0, 1000);
  if (!target_flag) return target_flag.error();
  auto minimum_flag = args.integer("--min", 0, 1000);
  if (!minimum_flag) return minimum_flag.error();
  auto maximum_flag = args.integer("--max", 0, 1000);
  if (!maximum_flag) return maximum_flag.error();
  const std::optional<long long> target = *target_flag, minimum = *minimum_flag, maximum = *maximum_flag;
  if (target && (minimum || maximum)) {
    return usage_error("give either --target (manual scale) or --min and --max (auto-scale), not both",
                       "--target");
  }
  if (target) {
    properties["scaleSettings"] = json::object{
        {"manual", json::object{{"targetNodeCount", *target}, {"nodeDeallocationOption", "requeue"}}}};
  } else if (minimum || maximum) {
    if (!minimum || !maximum) return usage_error("auto-scale needs both --min and --max", "--min");
    properties["scaleSettings"] = json::object{
        {"autoScale", json::object{{"minimumNodeCount", *minimum}, {"maximumNodeCount", *maximum}}}};
  } else if (!properties.contains("scaleSettings")) {
    properties["scaleSettings"] = json::object{{"manual", json::object{{"targetNodeCount", 1}}}};
  }
  if (auto result = apply_user_flags(args, properties); !result) return result.error();
  json::object& node_setup = object_at(properties, "nodeSetup");
  if (auto setup = args.value("--setup-task")) {
    auto output = args.value("--setup-task-output");
    if (!output)
      return usage_error("--setup-task needs --setup-task-output, where its stdout/stderr go",
                         "--setup-task-output");
    node_setup["setupTask"] = json::object{{"commandLine", *setup}, {"stdOutErrPathPrefix", *output}};
  }
  json::object& volumes = object_at(node_setup, "mountVolumes");
  if (auto result = add_mount_flags(ctx, args, name->group, name->workspace, volumes); !result)
    return result.error();
  if (volumes.empty()) node_setup.erase("mountVolumes");
  if (node_setup.empty()) properties.erase("nodeSetup");
  if (auto subnet = args.value("--subnet")) properties["subnet"] = json::object{{"id", *subnet}};

  auto existing = ctx.arm.get(name->path);
  if (existing)
    return core::Error::conflict("ClusterExists", "A cluster named " + *args.value("--name") +
                                                      " already exists in workspace " + name->workspace);
  if (existing.error().kind != core::ErrorKind::kNotFound) return existing.error();
  auto cluster = ctx.arm.put_lro(name->path, json::object{{"properties", std::move(properties)}},
                                 !args.has("--no-wait"));
  if (!cluster) return cluster.error();
  return CommandOutput{std::move(*cluster), cluster_columns()};
}

core::Result<CommandOutput> cluster_delete(CommandContext& ctx, const ArgumentList& args) {
  auto name = cluster_name(ctx, args, "--name");
  if (!name) return name.error();
  if (auto done = ctx.arm.action_lro("DELETE", name->path, !args.has("--no-wait")); !done)
    return done.error();
  return CommandOutput{};
}

core::Result<CommandOutput> cluster_list(CommandContext& ctx, const ArgumentList& args) {
  auto group = args.required("--resource-group");
  if (!group) return group.error();
  auto workspace = args.required("--workspace");
  if (!workspace) return workspace.error();
  auto list = ctx.arm.list(ctx.arm.group_path(*group) + "/workspaces/" + *workspace + "/clusters");
  if (!list) return list.error();
  return CommandOutput{std::move(*list), cluster_columns()};
}

core::Result<CommandOutput> cluster_show(CommandContext& ctx, const ArgumentList& args) {
  auto name = cluster_name(ctx, args, "--name");
  if (!name) return name.error();
  auto cluster = ctx.arm.get(name->path);
  if (!cluster) return cluster.error();
  return CommandOutput{std::move(*cluster), cluster_columns()};
}

core::Result<CommandOutput> cluster_resize(CommandContext& ctx, const ArgumentList& args) {
  auto name = cluster_name(ctx, args, "--name");
  if (!name) return name.error();
  auto target = args.integer("--target", 0, 1000);
  if (!target) return target.error();
  if (!*target) return usage_error("the following argument is required: --target", "--target");
  json::object manual{
      {"targetNodeCount", **target},
      {"nodeDeallocationOption", args.value("--node-deallocation-option").value_or("requeue")}};
  json::object body{
      {"properties", json::object{{"scaleSettings", json::object{{"manual", std::move(manual)}}}}}};
  auto cluster = ctx.arm.send_sync("PATCH", name->path, body);
  if (!cluster) return cluster.error();
  return CommandOutput{std::move(*cluster), cluster_columns()};
}

core::Result<CommandOutput> cluster_auto_scale(CommandContext& ctx, const ArgumentList& args) {
  auto name = cluster_name(ctx, args, "--name");
  if (!name) return name.error();
  auto minimum = args.integer("--min", 0, 1000);
  if (!minimum) return minimum.error();
  auto maximum = args.integer("--max", 0, 1000);
  if (!maximum) return maximum.error();
  if (!*minimum || !*maximum)
    return usage_error("auto-scale needs both --min and --max", *minimum ? "--max" : "--min");
  json::object auto_scale{{"minimumNodeCount", **minimum}, {"maximumNodeCount", **maximum}};
  json::object body{
      {"properties", json::object{{"scaleSettings", json::object{{"autoScale", std::move(auto_scale)}}}}}};
  auto cluster = ctx.arm.send_sync("PATCH", name->path, body);
  if (!cluster) return cluster.error();
  return CommandOutput{std::move(*cluster), cluster_columns()};
}

core::Result<CommandOutput> cluster_node_list(CommandContext& ctx, const ArgumentList& args) {
  auto name = cluster_name(ctx, args, "--cluster");
  if (!name) return name.error();
  auto first = ctx.arm.post(name->path + "/listRemoteLoginInformation");
  if (!first) return first.error();
  json::value value = json::array{};
  if (first->is_object()) {
    if (const auto* items = first->get_object().if_contains("value")) value = *items;
  }
  return CommandOutput{std::move(value), node_columns()};
}

core::Result<CommandOutput> cluster_node_exec(CommandContext& ctx, const ArgumentList& args) {
  auto name = cluster_name(ctx, args, "--cluster");
  if (!name) return name.error();
  auto cluster = ctx.arm.get(name->path);
  if (!cluster) return cluster.error();
  auto nodes = ctx.arm.post(name->path + "/listRemoteLoginInformation");
  if (!nodes) return nodes.error();
  return exec_on_node(ctx, args, *nodes, field("properties.userAccountSettings.adminUserName")(*cluster));
}

}  // namespace emu::cli
