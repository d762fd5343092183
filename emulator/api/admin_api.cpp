#include "emulator/api/admin_api.hpp"

#include <charconv>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "emulator/api/cloud_error.hpp"
#include "emulator/api/output_files.hpp"

namespace emu::api {

namespace json = boost::json;
using core::Error;

namespace {

HttpResponse json_ok(const json::value& body) {
  HttpResponse res;
  res.set_header("Content-Type", "application/json; charset=utf-8");
  res.body = json::serialize(body);
  return res;
}

HttpResponse method_not_allowed(const HttpRequest& req, std::string_view allowed) {
  HttpResponse res = error_response(
      {core::ErrorKind::kMethodNotAllowed,
       "MethodNotAllowed",
       fmt::format("The method {} is not allowed on {}; use {}", req.method, req.target, allowed),
       {}});
  res.set_header("Allow", std::string(allowed));
  return res;
}

core::Result<json::object> body_object(const HttpRequest& req) {
  boost::system::error_code ec;
  json::value v = json::parse(req.body, ec);
  if (ec || !v.is_object()) {
    return Error::bad_request("InvalidRequestContent",
                              "The body must be a JSON object, e.g. {\"seconds\": 60}");
  }
  return std::move(v.as_object());
}

// A job names its files: any byte but '/' and NUL. Quotes, backslashes and control bytes (CR LF would
// split the header) become '_' in the quoted filename.
std::string header_safe(std::string name) {
  for (char& c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f || c == '"' || c == '\\') c = '_';
  }
  return name;
}

}  // namespace

HttpResponse AdminApi::inject_fault(const json::object& body) {
  const auto* kind = body.if_contains("kind");
  if (kind == nullptr || !kind->is_string()) {
    return error_response(
        Error::bad_request("MissingRequiredProperty",
                           "kind is required: node-failure, node-preemption or fileserver-outage", "kind"));
  }
  engine::NodeSelector selector;
  if (const auto* node = body.if_contains("nodeId")) {
    if (!node->is_string()) {
      return error_response(Error::bad_request("InvalidPropertyType", "nodeId must be a string", "nodeId"));
    }
    selector.node_id = std::string(node->as_string());
  }
  if (const auto* count = body.if_contains("count")) {
    if (!count->is_int64() || count->as_int64() < 1 || count->as_int64() > 100000) {
      return error_response(
          Error::bad_request("InvalidPropertyValue", "count must be an integer from 1 to 100000", "count"));
    }
    selector.count = static_cast<std::int32_t>(count->as_int64());
  }
  if (const auto* cluster = body.if_contains("clusterId")) {
    if (!cluster->is_string()) {
      return error_response(
          Error::bad_request("InvalidPropertyType", "clusterId must be a cluster's ARM id", "clusterId"));
    }
    selector.cluster_id = std::string(cluster->as_string());
  }
  const std::string_view k = kind->as_string();
  core::Result<std::vector<std::string>> hit = std::vector<std::string>{};
  if (k == "node-failure") {
    hit = engine_.fail_nodes(selector);
  } else if (k == "node-preemption") {
    hit = engine_.preempt_nodes(selector);
  } else if (k == "fileserver-outage") {
    return file_server_outage(body);
  } else {
    return error_response(Error::bad_request(
        "InvalidPropertyValue",
        fmt::format("Unknown fault kind '{}'; use node-failure, node-preemption or fileserver-outage", k),
        "kind"));
  }
  if (!hit) return error_response(hit.error());
  json::array nodes;
  for (const auto& id : *hit) nodes.push_back(json::string(id));
  return json_ok(json::object{{"kind", k}, {"nodes", std::move(nodes)}});
}

HttpResponse AdminApi::download(const HttpRequest& req, std::string_view token) {
  auto linked = links_.verify(token, control_.now());
  if (!linked) return error_response(linked.error());
  constexpr std::uint64_t kLimit = std::uint64_t{1} << 30;
  auto content = read_output_file(linked->root, linked->file, kLimit, req.method != "HEAD");
  if (!content) return error_response(content.error());
  HttpResponse res;
  res.set_header("Content-Type", "application/octet-stream");
  res.set_header("Content-Disposition", "attachment; filename=\"" + header_safe(content->name) + "\"");
  res.body = std::move(content->bytes);
  return res;
}

HttpResponse AdminApi::storage_usage(const RequestTarget& target) {
  const auto id = target.query("fileServerId");
  auto path = id ? engine::ResourcePath::parse_arm_id(*id) : std::nullopt;
  if (!path || path->type != engine::ResourceType::kFileServer) {
    return error_response(Error::bad_request("InvalidQueryParameterValue",
                                             "fileServerId must be a file server's ARM id", "fileServerId"));
  }
  auto server = engine_.get_file_server(*path);
  if (!server) return error_response(server.error());
  const auto& disks = (*server)->spec.data_disks;
  const std::uint64_t capacity = static_cast<std::uint64_t>(disks.disk_count) *
                                 static_cast<std::uint64_t>(disks.disk_size_in_gb) * (std::uint64_t{1} << 30);
  const std::string arm_id = (*server)->path.arm_id();
  const StorageUsage usage = control_.file_server_usage(arm_id);
  return json_ok(json::object{{"fileServerId", arm_id},
                              {"capacityBytes", capacity},
                              {"usedBytes", usage.used_bytes},
                              {"available", usage.available}});
}

HttpResponse AdminApi::file_server_outage(const json::object& body) {
  const auto* id = body.if_contains("fileServerId");
  if (id == nullptr || !id->is_string()) {
    return error_response(Error::bad_request("MissingRequiredProperty",
                                             "fileServerId is required: the ARM id of the file server",
                                             "fileServerId"));
  }
  const auto* seconds = body.if_contains("durationSeconds");
  if (seconds == nullptr || !seconds->is_number()) {
    return error_response(Error::bad_request("MissingRequiredProperty",
                                             "durationSeconds is required: how long the outage lasts",
                                             "durationSeconds"));
  }
  const double duration = seconds->to_number<double>();
  if (!std::isfinite(duration) || duration <= 0 || duration > 30.0 * 24 * 3600) {
    return error_response(Error::bad_request("InvalidPropertyValue",
                                             "durationSeconds must be more than 0 and at most 30 days",
                                             "durationSeconds"));
  }
  auto path = engine::ResourcePath::parse_arm_id(id->as_string());
  if (!path || path->type != engine::ResourceType::kFileServer) {
    return error_response(Error::bad_request("InvalidPropertyValue",
                                             "fileServerId must be a file server's ARM id", "fileServerId"));
  }
  auto server = engine_.get_file_server(*path);
  if (!server) return error_response(server.error());
  const std::string arm_id = (*server)->path.arm_id();
  if (auto r = control_.file_server_outage(arm_id, core::from_seconds(duration)); !r) {
    return error_response(r.error());
  }
  engine_.record_fault("fileserver-outage", arm_id, {{"durationSeconds", fmt::format("{}", duration)}});
  return json_ok(
      json::object{{"kind", "fileserver-outage"}, {"fileServerId", arm_id}, {"durationSeconds", duration}});
}

std::optional<HttpResponse> AdminApi::handle(const HttpRequest& req, const RequestTarget& target) {
  const auto& seg = target.segments;
  if (seg.size() < 3 || seg[0] != "emulator" || seg[1] != "v1") return std::nullopt;
  const std::string_view what = seg[2];

  if (what == "health" && seg.size() == 3) {
    if (req.method != "GET" && req.method != "HEAD") return method_not_allowed(req, "GET");
    return json_ok(json::object{{"status", "ok"},
                                {"backend", control_.backend_name()},
                                {"now", core::format_timestamp(control_.now())}});
  }

  if (what == "clock" && seg.size() == 3) {
    if (req.method != "GET" && req.method != "HEAD") return method_not_allowed(req, "GET");
    return json_ok(json::object{{"now", core::format_timestamp(control_.now())},
                                {"nowNanoseconds", control_.now().time_since_epoch().count()},
                                {"timeScale", control_.time_scale()},
                                {"backend", control_.backend_name()}});
  }

  if (what == "clock" && seg.size() == 4 && seg[3] == "advance") {
    if (req.method != "POST") return method_not_allowed(req, "POST");
    auto body = body_object(req);
    if (!body) return error_response(body.error());
    auto it = body->find("seconds");
    if (it == body->end() || !it->value().is_number()) {
      return error_response(Error::bad_request(
          "MissingRequiredProperty", "seconds is required: how far to move the clock, e.g. {\"seconds\": 60}",
          "seconds"));
    }
    const double seconds = it->value().to_number<double>();
    if (!std::isfinite(seconds) || seconds < 0 || seconds > 10.0 * 365 * 24 * 3600) {
      return error_response(Error::bad_request(
          "InvalidPropertyValue", "seconds must be a number from 0 to 315360000 (ten years)", "seconds"));
    }
    auto now = control_.advance_clock(core::from_seconds(seconds));
    if (!now) return error_response(now.error());
    return json_ok(json::object{{"now", core::format_timestamp(*now)},
                                {"nowNanoseconds", now->time_since_epoch().count()}});
  }

  if (what == "files" && seg.size() >= 4) {
    if (req.method != "GET" && req.method != "HEAD") return method_not_allowed(req, "GET");
    return download(req, seg[3]);
  }

  if (what == "storage" && seg.size() == 3) {
    if (req.method != "GET" && req.method != "HEAD") return method_not_allowed(req, "GET");
    return storage_usage(target);
  }

  if (what == "faults" && seg.size() == 3) {
    if (req.method != "POST") return method_not_allowed(req, "POST");
    auto body = body_object(req);
    if (!body) return error_response(body.error());
    return inject_fault(*body);
  }

  if (what == "events" && seg.size() == 3) {
    if (req.method != "GET" && req.method != "HEAD") return method_not_allowed(req, "GET");
    std::uint64_t since = 0;
    std::size_t limit = 10000;
    if (auto text = target.query("since")) {
      auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), since);
      if (ec != std::errc{} || end != text->data() + text->size()) {
        return error_response(Error::bad_request("InvalidQueryParameterValue",
                                                 "since must be a journal sequence number (0 for the start)",
                                                 "since"));
      }
    }
    if (auto text = target.query("limit")) {
      auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
      if (ec != std::errc{} || end != text->data() + text->size() || limit == 0) {
        return error_response(
            Error::bad_request("InvalidQueryParameterValue", "limit must be a positive integer", "limit"));
      }
    }
    auto found = engine_.events_since(since, limit);
    if (!found) return error_response(found.error());
    json::array records;
    for (const auto& record : *found) {
      records.push_back(json::parse(core::Journal::canonical_line(record)));
    }
    const auto& journal = engine_.journal();
    return json_ok(json::object{{"value", std::move(records)},
                                {"lastSequence", journal.last_sequence()},
                                {"oldestSequence", engine_.oldest_event_sequence()},
                                {"digest", journal.digest_hex()}});
  }

  return error_response(Error::not_found(
      "NotFound", fmt::format("No emulator API at {}; see docs/admin-api.md for the routes", target.path)));
}

}  // namespace emu::api
