#include "emulator/api/resource_view.hpp"

#include <boost/json.hpp>

#include "emulator/model/cluster_codec.hpp"
#include "emulator/model/common_codec.hpp"
#include "emulator/model/file_server_codec.hpp"
#include "emulator/model/job_codec.hpp"

namespace emu::api {

namespace json = boost::json;
using core::format_timestamp;

namespace {

json::object envelope(const engine::ResourcePath& path) {
  return json::object{{"id", path.arm_id()}, {"name", path.name}, {"type", path.type_name()}};
}

void add_lifecycle(const engine::ResourceLifecycle& r, json::object& properties) {
  properties["creationTime"] = format_timestamp(r.creation_time);
  properties["provisioningState"] = model::to_string(r.provisioning_state);
  properties["provisioningStateTransitionTime"] = format_timestamp(r.provisioning_state_time);
}

json::array view_errors(const std::vector<model::BatchAIError>& errors) {
  json::array out;
  for (const auto& e : errors) out.push_back(model::to_json(e));
  return out;
}

}  // namespace

json::object view(const engine::WorkspaceRecord& r) {
  json::object o = envelope(r.path);
  o["location"] = r.location;
  json::object tags;
  for (const auto& [k, v] : r.tags) tags[k] = v;
  o["tags"] = std::move(tags);
  json::object properties;
  add_lifecycle(r, properties);
  o["properties"] = std::move(properties);
  return o;
}

json::object view(const engine::ExperimentRecord& r) {
  json::object o = envelope(r.path);
  json::object properties;
  add_lifecycle(r, properties);
  o["properties"] = std::move(properties);
  return o;
}

json::object view(const engine::ClusterRecord& r) {
  json::object o = envelope(r.path);
  json::object properties = model::to_json(r.spec, model::Visibility::kPublic);
  add_lifecycle(r, properties);
  properties["allocationState"] = model::to_string(r.allocation_state);
  properties["allocationStateTransitionTime"] = format_timestamp(r.allocation_state_time);
  if (!r.errors.empty()) properties["errors"] = view_errors(r.errors);
  const auto& c = r.node_counts;
  properties["currentNodeCount"] = c.idle_node_count + c.running_node_count + c.preparing_node_count +
                                   c.unusable_node_count + c.leaving_node_count;
  properties["nodeStateCounts"] = model::to_json(c);
  o["properties"] = std::move(properties);
  return o;
}

json::object view(const engine::FileServerRecord& r) {
  json::object o = envelope(r.path);
  json::object properties = model::to_json(r.spec, model::Visibility::kPublic);
  add_lifecycle(r, properties);
  if (r.mount_settings.mount_point) properties["mountSettings"] = model::to_json(r.mount_settings);
  o["properties"] = std::move(properties);
  return o;
}

json::object view(const engine::JobRecord& r) {
  json::object o = envelope(r.path);
  json::object properties = model::to_json(r.spec, model::Visibility::kPublic);
  properties["experimentName"] = r.path.experiment;
  properties["toolType"] = model::to_string(r.spec.tool_type());
  properties["jobOutputDirectoryPathSegment"] = r.output_path_segment();
  add_lifecycle(r, properties);
  properties["executionState"] = model::to_string(r.execution_state);
  properties["executionStateTransitionTime"] = format_timestamp(r.execution_state_time);
  json::object info;
  if (r.start_time) info["startTime"] = format_timestamp(*r.start_time);
  if (r.end_time) info["endTime"] = format_timestamp(*r.end_time);
  if (r.exit_code) info["exitCode"] = *r.exit_code;
  if (!r.errors.empty()) info["errors"] = view_errors(r.errors);
  if (!info.empty()) properties["executionInfo"] = std::move(info);
  o["properties"] = std::move(properties);
  return o;
}

json::object view(const engine::OperationRecord& r, std::string_view base_url, std::string_view kind) {
  json::object o;
  o["id"] = std::string(base_url) + "/subscriptions/" + r.target.subscription +
            "/providers/Microsoft.BatchAI/locations/" + r.location + "/" + std::string(kind) + "/" + r.id;
  o["name"] = r.id;
  o["status"] = engine::to_string(r.status);
  o["startTime"] = format_timestamp(r.start_time);
  if (r.end_time) o["endTime"] = format_timestamp(*r.end_time);
  if (r.status == engine::OperationStatus::kSucceeded) {
    o["properties"] = json::object{{"resourceId", r.target.dollar_id()}};
  }
  if (r.error) o["error"] = json::object{{"code", r.error->code}, {"message", r.error->message}};
  return o;
}

json::object view(const engine::RemoteLogin& login) {
  return json::object{{"nodeId", login.node_id}, {"ipAddress", login.ip_address}, {"port", login.port}};
}

json::object view(const engine::UsageFigure& usage) {
  return json::object{{"unit", "Count"},
                      {"currentValue", usage.current},
                      {"limit", usage.limit},
                      {"name", json::object{{"value", usage.name}, {"localizedValue", usage.localized_name}}}};
}

}  // namespace emu::api
