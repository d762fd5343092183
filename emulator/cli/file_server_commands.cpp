// file-server commands.
#include <boost/json/object.hpp>

#include "emulator/cli/commands.hpp"
#include "emulator/cli/resource_columns.hpp"

namespace emu::cli {

namespace json = boost::json;

namespace {

core::Result<std::string> workspace_of(CommandContext& ctx, const ArgumentList& args) {
  auto group = args.required("--resource-group");
  if (!group) return group.error();
  auto workspace = args.required("--workspace");
  if (!workspace) return workspace.error();
  return ctx.arm.group_path(*group) + "/workspaces/" + *workspace;
}

core::Result<std::string> file_server_path(CommandContext& ctx, const ArgumentList& args) {
  auto workspace = workspace_of(ctx, args);
  if (!workspace) return workspace.error();
  auto name = args.required("--name");
  if (!name) return name.error();
  return *workspace + "/fileServers/" + *name;
}

}  // namespace

core::Result<CommandOutput> file_server_create(CommandContext& ctx, const ArgumentList& args) {
  auto path = file_server_path(ctx, args);
  if (!path) return path.error();
  json::object properties;
  if (auto file = args.value("--config-file")) {
    auto loaded = load_properties(*file);
    if (!loaded) return loaded.error();
    properties = std::move(*loaded);
  }
  if (auto size = args.value("--vm-size")) properties["vmSize"] = *size;
  auto count = args.integer("--disk-count", 1, 64);
  if (!count) return count.error();
  auto disk_size = args.integer("--disk-size", 1, 32767);
  if (!disk_size) return disk_size.error();
  json::object& disks = object_at(properties, "dataDisks");
  if (*count) disks["diskCount"] = **count;
  if (*disk_size) disks["diskSizeInGB"] = **disk_size;
  if (auto sku = args.value("--storage-sku")) disks["storageAccountType"] = *sku;
  if (auto caching = args.value("--caching-type")) disks["cachingType"] = *caching;
  if (!disks.contains("storageAccountType")) disks["storageAccountType"] = "Standard_LRS";
  json::object& user = object_at(properties, "sshConfiguration");
  json::object& account = object_at(user, "userAccountSettings");
  if (auto name = args.value("--user-name")) account["adminUserName"] = *name;
  if (auto password = args.value("--password")) account["adminUserPassword"] = *password;
  if (auto key = args.value("--ssh-key")) account["adminUserSshPublicKey"] = *key;
  if (!account.contains("adminUserName")) {
    const char* login = std::getenv("USER");
    account["adminUserName"] = login && *login ? login : "azureuser";
  }
  if (auto subnet = args.value("--subnet")) properties["subnet"] = json::object{{"id", *subnet}};
  auto server =
      ctx.arm.put_lro(*path, json::object{{"properties", std::move(properties)}}, !args.has("--no-wait"));
  if (!server) return server.error();
  return CommandOutput{std::move(*server), file_server_columns()};
}

core::Result<CommandOutput> file_server_delete(CommandContext& ctx, const ArgumentList& args) {
  auto path = file_server_path(ctx, args);
  if (!path) return path.error();
  if (auto done = ctx.arm.action_lro("DELETE", *path, !args.has("--no-wait")); !done) return done.error();
  return CommandOutput{};
}

core::Result<CommandOutput> file_server_list(CommandContext& ctx, const ArgumentList& args) {
  auto workspace = workspace_of(ctx, args);
  if (!workspace) return workspace.error();
  auto list = ctx.arm.list(*workspace + "/fileServers");
  if (!list) return list.error();
  return CommandOutput{std::move(*list), file_server_columns()};
}

core::Result<CommandOutput> file_server_show(CommandContext& ctx, const ArgumentList& args) {
  auto path = file_server_path(ctx, args);
  if (!path) return path.error();
  auto server = ctx.arm.get(*path);
  if (!server) return server.error();
  return CommandOutput{std::move(*server), file_server_columns()};
}

}  // namespace emu::cli
