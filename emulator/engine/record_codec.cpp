#include "emulator/engine/record_codec.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "emulator/model/cluster_codec.hpp"
#include "emulator/model/file_server_codec.hpp"
#include "emulator/model/job_codec.hpp"

namespace emu::engine {

namespace json = boost::json;
using core::Error;

namespace {

std::int64_t ticks(core::Time t) { return t.time_since_epoch().count(); }
core::Time from_ticks(std::int64_t n) { return core::Time(core::Duration(n)); }

json::object encode_path(const ResourcePath& p) {
  return {{"type", static_cast<int>(p.type)}, {"subscription", p.subscription},
          {"resourceGroup", p.resource_group}, {"workspace", p.workspace},
          {"experiment", p.experiment}, {"name", p.name}};
}

json::array encode_errors(const std::vector<model::BatchAIError>& errors) {
  json::array out;
  for (const auto& e : errors) {
    json::array details;
    for (const auto& d : e.details) details.push_back(json::object{{"name", d.name}, {"value", d.value}});
    out.push_back(json::object{{"code", e.code}, {"message", e.message}, {"details", std::move(details)}});
  }
  return out;
}

void encode_lifecycle(const ResourceLifecycle& r, json::object& o) {
  o["path"] = encode_path(r.path);
  o["creationTime"] = ticks(r.creation_time);
  o["provisioningState"] = model::to_string(r.provisioning_state);
  o["provisioningStateTime"] = ticks(r.provisioning_state_time);
}

// Reads fields out of a stored document; the first problem is remembered and reported once.
class StoredReader {
 public:
  explicit StoredReader(std::string_view text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) {
      fail("not a JSON object");
    } else {
      root_ = std::move(v.as_object());
    }
  }
  const json::object& root() const { return root_; }
  bool failed() const { return !problem_.empty(); }
  Error error() const { return Error::internal("stored record: " + problem_); }
  void fail(std::string what) {
    if (problem_.empty()) problem_ = std::move(what);
  }

  const json::value* get(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end()) {
      fail(fmt::format("missing {}", key));
      return nullptr;
    }
    return &it->value();
  }
  std::string str(const json::object& o, std::string_view key) {
    const auto* v = get(o, key);
    if (v == nullptr || !v->is_string()) {
      fail(fmt::format("{} is not a string", key));
      return {};
    }
    return std::string(v->as_string());
  }
  std::int64_t num(const json::object& o, std::string_view key) {
    const auto* v = get(o, key);
    if (v == nullptr || !v->is_int64()) {
      fail(fmt::format("{} is not an integer", key));
      return 0;
    }
    return v->as_int64();
  }
  const json::object& obj(const json::object& o, std::string_view key) {
    static const json::object kEmpty;
    const auto* v = get(o, key);
    if (v == nullptr || !v->is_object()) {
      fail(fmt::format("{} is not an object", key));
      return kEmpty;
    }
    return v->as_object();
  }
  template <typename E>
  E enumeration(const json::object& o, std::string_view key, std::optional<E> (*parse)(std::string_view)) {
    auto parsed = parse(str(o, key));
    if (!parsed) {
      fail(fmt::format("{} has an unknown value", key));
      return E{};
    }
    return *parsed;
  }
  std::optional<core::Time> optional_time(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null()) return std::nullopt;
    return from_ticks(num(o, key));
  }

  ResourcePath path(const json::object& o) {
    const json::object& p = obj(o, "path");
    ResourcePath out;
    out.type = static_cast<ResourceType>(num(p, "type"));
    out.subscription = str(p, "subscription");
    out.resource_group = str(p, "resourceGroup");
    out.workspace = str(p, "workspace");
    out.experiment = str(p, "experiment");
    out.name = str(p, "name");
    return out;
  }

  void lifecycle(ResourceLifecycle& r) {
    r.path = path(root_);
    r.creation_time = from_ticks(num(root_, "creationTime"));
    r.provisioning_state = enumeration(root_, "provisioningState", &model::parse_provisioning_state);
    r.provisioning_state_time = from_ticks(num(root_, "provisioningStateTime"));
  }

  std::vector<model::BatchAIError> errors(const json::object& o, std::string_view key) {
    std::vector<model::BatchAIError> out;
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_array()) return out;
    for (const auto& item : it->value().as_array()) {
      if (!item.is_object()) continue;
      model::BatchAIError e;
      e.code = str(item.as_object(), "code");
      e.message = str(item.as_object(), "message");
      if (auto d = item.as_object().find("details"); d != item.as_object().end() && d->value().is_array()) {
        for (const auto& nv : d->value().as_array()) {
          if (nv.is_object()) e.details.push_back({str(nv.as_object(), "name"), str(nv.as_object(), "value")});
        }
      }
      out.push_back(std::move(e));
    }
    return out;
  }

  // The client's spec, kept as `{"properties": {...}}` and read back with the model's own parser.
  template <typename Spec>
  Spec spec(core::Result<Spec> (*parse)(const json::value&)) {
    const auto* v = get(root_, "spec");
    if (v == nullptr) return Spec{};
    auto parsed = parse(*v);
    if (!parsed) {
      fail("spec: " + parsed.error().message);
      return Spec{};
    }
    return std::move(*parsed);
  }

 private:
  json::object root_;
  std::string problem_;
};

template <typename T>
json::object wrap_properties(const T& spec) {
  return json::object{{"properties", model::to_json(spec, model::Visibility::kStored)}};
}

}  // namespace

std::string encode(const WorkspaceRecord& r) {
  json::object o;
  encode_lifecycle(r, o);
  o["location"] = r.location;
  json::object tags;
  for (const auto& [k, v] : r.tags) tags[k] = v;
  o["tags"] = std::move(tags);
  return json::serialize(o);
}

std::string encode(const ExperimentRecord& r) {
  json::object o;
  encode_lifecycle(r, o);
  return json::serialize(o);
}

std::string encode(const ClusterRecord& r) {
  json::object o;
  encode_lifecycle(r, o);
  o["spec"] = wrap_properties(r.spec);
  o["allocationState"] = model::to_string(r.allocation_state);
  o["allocationStateTime"] = ticks(r.allocation_state_time);
  o["errors"] = encode_errors(r.errors);
  const auto& c = r.node_counts;
  o["nodeCounts"] = json::array{c.idle_node_count, c.running_node_count, c.preparing_node_count,
                                c.unusable_node_count, c.leaving_node_count};
  o["setupTaskOutputId"] = r.setup_task_output_id;
  o["networkIndex"] = r.network_index;
  o["nodesAllocated"] = r.nodes_allocated;
  return json::serialize(o);
}

std::string encode(const FileServerRecord& r) {
  json::object o;
  encode_lifecycle(r, o);
  o["spec"] = wrap_properties(r.spec);
  o["mountPoint"] = r.mount_settings.mount_point.value_or("");
  o["internalIp"] = r.mount_settings.file_server_internal_ip.value_or("");
  o["publicIp"] = r.mount_settings.file_server_public_ip.value_or("");
  return json::serialize(o);
}

std::string encode(const JobRecord& r) {
  json::object o;
  encode_lifecycle(r, o);
  o["spec"] = wrap_properties(r.spec);
  o["outputId"] = r.output_id;
  o["submitSequence"] = r.submit_sequence;
  o["executionState"] = model::to_string(r.execution_state);
  o["executionStateTime"] = ticks(r.execution_state_time);
  if (r.start_time) o["startTime"] = ticks(*r.start_time);
  if (r.end_time) o["endTime"] = ticks(*r.end_time);
  if (r.exit_code) o["exitCode"] = *r.exit_code;
  o["errors"] = encode_errors(r.errors);
  return json::serialize(o);
}

std::string encode(const OperationRecord& r) {
  json::object o;
  o["id"] = r.id;
  o["location"] = r.location;
  o["kind"] = to_string(r.kind);
  o["path"] = encode_path(r.target);
  o["status"] = to_string(r.status);
  o["startTime"] = ticks(r.start_time);
  if (r.end_time) o["endTime"] = ticks(*r.end_time);
  if (r.error) o["errors"] = encode_errors({*r.error});
  return json::serialize(o);
}

core::Result<WorkspaceRecord> decode_workspace(std::string_view text) {
  StoredReader in(text);
  WorkspaceRecord r;
  in.lifecycle(r);
  r.location = in.str(in.root(), "location");
  for (const auto& [k, v] : in.obj(in.root(), "tags")) {
    if (v.is_string()) r.tags[std::string(k)] = std::string(v.as_string());
  }
  if (in.failed()) return in.error();
  return r;
}

core::Result<ExperimentRecord> decode_experiment(std::string_view text) {
  StoredReader in(text);
  ExperimentRecord r;
  in.lifecycle(r);
  if (in.failed()) return in.error();
  return r;
}

core::Result<ClusterRecord> decode_cluster(std::string_view text) {
  StoredReader in(text);
  ClusterRecord r;
  in.lifecycle(r);
  r.spec = in.spec<model::ClusterBaseProperties>(&model::parse_cluster_create);
  r.allocation_state = in.enumeration(in.root(), "allocationState", &model::parse_allocation_state);
  r.allocation_state_time = from_ticks(in.num(in.root(), "allocationStateTime"));
  r.errors = in.errors(in.root(), "errors");
  if (const auto* counts = in.get(in.root(), "nodeCounts"); counts && counts->is_array() &&
                                                             counts->as_array().size() == 5) {
    const auto& a = counts->as_array();
    auto at = [&](std::size_t i) { return a[i].is_int64() ? static_cast<std::int32_t>(a[i].as_int64()) : 0; };
    r.node_counts = {at(0), at(1), at(2), at(3), at(4)};
  }
  r.setup_task_output_id = in.str(in.root(), "setupTaskOutputId");
  r.network_index = static_cast<std::uint32_t>(in.num(in.root(), "networkIndex"));
  r.nodes_allocated = static_cast<std::uint32_t>(in.num(in.root(), "nodesAllocated"));
  if (in.failed()) return in.error();
  return r;
}

core::Result<FileServerRecord> decode_file_server(std::string_view text) {
  StoredReader in(text);
  FileServerRecord r;
  in.lifecycle(r);
  r.spec = in.spec<model::FileServerBaseProperties>(&model::parse_file_server_create);
  auto optional_string = [&](std::string_view key) -> std::optional<std::string> {
    std::string s = in.str(in.root(), key);
    if (s.empty()) return std::nullopt;
    return s;
  };
  r.mount_settings.mount_point = optional_string("mountPoint");
  r.mount_settings.file_server_internal_ip = optional_string("internalIp");
  r.mount_settings.file_server_public_ip = optional_string("publicIp");
  if (in.failed()) return in.error();
  return r;
}

core::Result<JobRecord> decode_job(std::string_view text) {
  StoredReader in(text);
  JobRecord r;
  in.lifecycle(r);
  r.spec = in.spec<model::JobBaseProperties>(&model::parse_job_create);
  r.output_id = in.str(in.root(), "outputId");
  r.submit_sequence = static_cast<std::uint64_t>(in.num(in.root(), "submitSequence"));
  r.execution_state = in.enumeration(in.root(), "executionState", &model::parse_execution_state);
  r.execution_state_time = from_ticks(in.num(in.root(), "executionStateTime"));
  r.start_time = in.optional_time(in.root(), "startTime");
  r.end_time = in.optional_time(in.root(), "endTime");
  if (auto it = in.root().find("exitCode"); it != in.root().end() && it->value().is_int64()) {
    r.exit_code = static_cast<std::int32_t>(it->value().as_int64());
  }
  r.errors = in.errors(in.root(), "errors");
  if (in.failed()) return in.error();
  return r;
}

core::Result<OperationRecord> decode_operation(std::string_view text) {
  StoredReader in(text);
  OperationRecord r;
  r.id = in.str(in.root(), "id");
  r.location = in.str(in.root(), "location");
  const std::string kind = in.str(in.root(), "kind");
  r.kind = kind == "delete" ? OperationKind::kDelete : kind == "terminate" ? OperationKind::kTerminate
                                                                            : OperationKind::kCreate;
  r.target = in.path(in.root());
  const std::string status = in.str(in.root(), "status");
  r.status = status == "Succeeded" ? OperationStatus::kSucceeded
             : status == "Failed"  ? OperationStatus::kFailed
                                   : OperationStatus::kInProgress;
  r.start_time = from_ticks(in.num(in.root(), "startTime"));
  r.end_time = in.optional_time(in.root(), "endTime");
  if (auto errors = in.errors(in.root(), "errors"); !errors.empty()) r.error = errors.front();
  if (in.failed()) return in.error();
  return r;
}

std::string encode(const NodeRecord& r) {
  json::object o;
  o["id"] = r.id;
  o["cluster"] = r.cluster_key;
  o["ip"] = r.ip_address;
  o["index"] = r.index;
  o["state"] = to_string(r.state);
  o["since"] = ticks(r.state_since);
  o["lowPriority"] = r.low_priority;
  o["job"] = r.job_key;
  o["leaveAfterJob"] = r.leave_after_job;
  return json::serialize(o);
}

core::Result<NodeRecord> decode_node(std::string_view text) {
  StoredReader in(text);
  NodeRecord r;
  r.id = in.str(in.root(), "id");
  r.cluster_key = in.str(in.root(), "cluster");
  r.ip_address = in.str(in.root(), "ip");
  r.index = static_cast<std::uint32_t>(in.num(in.root(), "index"));
  const std::string state = in.str(in.root(), "state");
  r.state = NodeState::kPreparing;
  for (NodeState s : {NodeState::kPreparing, NodeState::kIdle, NodeState::kRunning, NodeState::kLeaving,
                      NodeState::kUnusable}) {
    if (to_string(s) == state) r.state = s;
  }
  r.state_since = from_ticks(in.num(in.root(), "since"));
  r.low_priority = in.root().contains("lowPriority") && in.root().at("lowPriority").is_bool() &&
                   in.root().at("lowPriority").as_bool();
  r.job_key = in.str(in.root(), "job");
  r.leave_after_job = in.root().contains("leaveAfterJob") && in.root().at("leaveAfterJob").is_bool() &&
                      in.root().at("leaveAfterJob").as_bool();
  if (in.failed()) return in.error();
  return r;
}

core::Result<core::JournalRecord> decode_journal_record(std::string_view text) {
  StoredReader in(text);
  core::JournalRecord r;
  r.sequence = static_cast<std::uint64_t>(in.num(in.root(), "seq"));
  r.time = from_ticks(in.num(in.root(), "time_ns"));
  r.kind = in.str(in.root(), "kind");
  r.subject = in.str(in.root(), "subject");
  r.from = in.str(in.root(), "from");
  r.to = in.str(in.root(), "to");
  r.reason = in.str(in.root(), "reason");
  for (const auto& [k, v] : in.obj(in.root(), "details")) {
    if (v.is_string()) r.details.emplace_back(std::string(k), std::string(v.as_string()));
  }
  if (in.failed()) return in.error();
  return r;
}

}  // namespace emu::engine
