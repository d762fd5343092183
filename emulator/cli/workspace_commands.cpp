// workspace, experiment and list-usages commands.
#include <boost/json/object.hpp>

#include "emulator/cli/commands.hpp"
#include "emulator/cli/resource_columns.hpp"

namespace emu::cli {

namespace json = boost::json;

namespace {

core::Result<std::string> workspace_path(CommandContext& ctx, const ArgumentList& args,
                                         std::string_view name_flag) {
  auto group = args.required("--resource-group");
  if (!group) return group.error();
  auto name = args.required(name_flag);
  if (!name) return name.error();
  return ctx.arm.group_path(*group) + "/workspaces/" + *name;
}

core::Result<std::string> experiment_path(CommandContext& ctx, const ArgumentList& args) {
  auto workspace = workspace_path(ctx, args, "--workspace");
  if (!workspace) return workspace.error();
  auto name = args.required("--name");
  if (!name) return name.error();
  return *workspace + "/experiments/" + *name;
}

}  // namespace

core::Result<CommandOutput> workspace_create(CommandContext& ctx, const ArgumentList& args) {
  auto path = workspace_path(ctx, args, "--name");
  if (!path) return path.error();
  json::object body{{"location", args.value("--location").value_or(ctx.location)}};
  if (args.has("--tags")) {
    json::object tags;
    for (const auto& tag : args.values("--tags")) {
      const auto eq = tag.find('=');
      tags[tag.substr(0, eq)] = eq == std::string::npos ? std::string() : tag.substr(eq + 1);
    }
    body["tags"] = std::move(tags);
  }
  auto workspace = ctx.arm.send_sync("PUT", *path, body);
  if (!workspace) return workspace.error();
  return CommandOutput{std::move(*workspace), workspace_columns()};
}

core::Result<CommandOutput> workspace_delete(CommandContext& ctx, const ArgumentList& args) {
  auto path = workspace_path(ctx, args, "--name");
  if (!path) return path.error();
  if (auto done = ctx.arm.action_lro("DELETE", *path, !args.has("--no-wait")); !done) return done.error();
  return CommandOutput{};
}

core::Result<CommandOutput> workspace_list(CommandContext& ctx, const ArgumentList& args) {
  auto group = args.value("--resource-group");
  auto list =
      ctx.arm.list((group ? ctx.arm.group_path(*group) : ctx.arm.subscription_path()) + "/workspaces");
  if (!list) return list.error();
  return CommandOutput{std::move(*list), workspace_columns()};
}

core::Result<CommandOutput> workspace_show(CommandContext& ctx, const ArgumentList& args) {
  auto path = workspace_path(ctx, args, "--name");
  if (!path) return path.error();
  auto workspace = ctx.arm.get(*path);
  if (!workspace) return workspace.error();
  return CommandOutput{std::move(*workspace), workspace_columns()};
}

core::Result<CommandOutput> experiment_create(CommandContext& ctx, const ArgumentList& args) {
  auto path = experiment_path(ctx, args);
  if (!path) return path.error();
  auto experiment = ctx.arm.send_sync("PUT", *path, json::object{});
  if (!experiment) return experiment.error();
  return CommandOutput{std::move(*experiment), experiment_columns()};
}

core::Result<CommandOutput> experiment_delete(CommandContext& ctx, const ArgumentList& args) {
  auto path = experiment_path(ctx, args);
  if (!path) return path.error();
  if (auto done = ctx.arm.action_lro("DELETE", *path, !args.has("--no-wait")); !done) return done.error();
  return CommandOutput{};
}

core::Result<CommandOutput> experiment_list(CommandContext& ctx, const ArgumentList& args) {
  auto workspace = workspace_path(ctx, args, "--workspace");
  if (!workspace) return workspace.error();
  auto list = ctx.arm.list(*workspace + "/experiments");
  if (!list) return list.error();
  return CommandOutput{std::move(*list), experiment_columns()};
}

core::Result<CommandOutput> experiment_show(CommandContext& ctx, const ArgumentList& args) {
  auto path = experiment_path(ctx, args);
  if (!path) return path.error();
  auto experiment = ctx.arm.get(*path);
  if (!experiment) return experiment.error();
  return CommandOutput{std::move(*experiment), experiment_columns()};
}

core::Result<CommandOutput> list_usages(CommandContext& ctx, const ArgumentList& args) {
  auto location = args.required("--location");
  if (!location) return location.error();
  auto list = ctx.arm.list(ctx.arm.subscription_path() + "/locations/" + *location + "/usages");
  if (!list) return list.error();
  return CommandOutput{std::move(*list), usage_columns()};
}

}  // namespace emu::cli
